"""Study 4: regularization on PTB (Zaremba's small 2 x 200 model): none, dropout,
variational (locked) dropout, weight drop; each with and without early stopping.

    python -m experiments.sweep experiments/ptb_regularization/sweep.py --root=/tmp/ptb_reg

Train and validation curves come from each run's metrics.jsonl.
"""

CONFIG = "configs/ptb_small.py"
SEEDS = [0]
METRICS = ["perplexity"]
REGULARIZERS = {
    "none": {},
    "dropout": {
        "model.input_dropout": 0.3,
        "model.hidden_dropout": 0.3,
        "model.output_dropout": 0.3,
    },
    "variational": {
        "model.variational": True,
        "model.input_dropout": 0.3,
        "model.hidden_dropout": 0.3,
        "model.output_dropout": 0.3,
    },
    "weight_drop": {"model.weight_drop": 0.3},
}


def sweep(add):
    for overrides in REGULARIZERS.values():
        for patience in (0, 2):
            add(**overrides, early_stopping_patience=patience)
