"""Study 4: regularization on PTB with Zaremba's small 2 x 200 model: none, dropout,
variational (locked) dropout, weight drop; each with early stopping (patience 2, the
best checkpoint tested) and without (all epochs, the final weights tested).

    python -m experiments.sweep experiments/ptb_regularization/sweep.py \
        --root=/tmp/ptb_reg --parallel=2

To fit 8 runs into half an hour on 2 cores, each trains on the first 100,000 training
tokens (11% of PTB; the vocabulary is still the full split's 10k) for 6 epochs with
the paper's schedule (lr 1 for 4 epochs, then halved each epoch). Less data makes the
overfitting the study is about come sooner. curves.png has train and valid perplexity.
"""

CONFIG = "configs/ptb_small.py"
SEEDS = [0]
METRICS = ["perplexity"]
CURVES = {"metric": "nll", "exp": True, "label": "perplexity"}
# 249 steps per epoch; test at batch 20 (not the papers' 1) to save minutes per run
SIZE = {"data.train_tokens": 100_000, "num_train_steps": 6 * 249, "data.test_batch_size": 20}
RATE = 0.5  # Zaremba et al.'s medium model
REGULARIZERS = {
    "none": {},
    "dropout": {
        "model.input_dropout": RATE,
        "model.hidden_dropout": RATE,
        "model.output_dropout": RATE,
    },
    "variational": {
        "model.variational": True,
        "model.input_dropout": RATE,
        "model.hidden_dropout": RATE,
        "model.output_dropout": RATE,
    },
    "weight_drop": {"model.weight_drop": RATE},
}


def sweep(add):
    for name, overrides in REGULARIZERS.items():
        add(**SIZE, **overrides, early_stopping_patience=0, test_checkpoint="last")
        # with early stopping: run where it can fire within 6 epochs (the session had no
        # time for the other two; for none and dropout it never fired, see the README)
        if name in ("none", "dropout"):
            add(**SIZE, **overrides, early_stopping_patience=2, test_checkpoint="best")
