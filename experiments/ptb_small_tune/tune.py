"""PTB small (Zaremba's 2 x 200, 13 epochs, the paper's SGD schedule): a TPE search over
dropout, weight drop and tying on a proxy (the first 200,000 training tokens, 6 epochs,
the same schedule per epoch), selected on validation perplexity; the best config is then
trained on all of PTB for the 13 epochs and tested over 3 seeds.

    python -m experiments.tune experiments/ptb_small_tune/tune.py --root=/tmp/ptb_tune --parallel=2

configs/ptb_small.py (no regularization): test perplexity 114.83. Goal (issue 23): <= 113.
"""

import optuna

CONFIG = "configs/ptb_small.py"
METRIC, DIRECTION = "nll", "minimize"  # validation nats per word; perplexity = exp(nll)
TRIALS = 12
SEEDS = [0, 1, 2]
TEST_METRICS = ["perplexity"]
SEARCH = {"data.train_tokens": 200_000, "num_epochs": 6}
ENQUEUE = [  # configs/ptb_small.py itself, then the same dropout everywhere at 0.3
    {
        "dropout": 0.0,
        "model.variational": False,
        "model.weight_drop": 0.0,
        "model.tie": False,
    },
    {
        "dropout": 0.3,
        "model.variational": False,
        "model.weight_drop": 0.0,
        "model.tie": False,
    },
]
PRUNER = optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=2 * 499)


def space(trial):
    p = trial.suggest_float("dropout", 0.0, 0.6)
    return {
        # one rate on the embedding output, between layers and before the softmax
        "model.input_dropout": p,
        "model.hidden_dropout": p,
        "model.output_dropout": p,
        "model.variational": trial.suggest_categorical("model.variational", [False, True]),
        "model.weight_drop": trial.suggest_float("model.weight_drop", 0.0, 0.5),
        "model.tie": trial.suggest_categorical("model.tie", [False, True]),
    }
