"""SST-2: a TPE search over the BiLSTM's regularization, width, pooling and learning rate,
selected on GLUE dev (872 sentences), the best config then tested over 3 seeds.

    python -m experiments.tune experiments/sst2_tune/tune.py --root=/tmp/sst2_tune --parallel=2

Every trial is configs/sst2.py's 3 epochs, so the best config keeps its time per run.
Goal (issue 23): test accuracy mean - std >= 85.5% over 3 seeds, <= 6 min per run.
"""

import optuna

CONFIG = "configs/sst2.py"
METRIC, DIRECTION = "accuracy", "maximize"
TRIALS = 12
SEEDS = [0, 1, 2]
TEST_METRICS = ["macro_f1"]
# validation every quarter epoch: no verdict before the first full epoch (1,053 steps)
# configs/sst2.py's own values first, so the search starts from the config it must beat
ENQUEUE = [
    {
        "optimizer.learning_rate": 1e-3,
        "model.hidden_features": 256,
        "model.pooling": "attention",
        "model.dropout": 0.5,
        "model.embed_dropout": 0.0,
        "model.word_dropout": 0.0,
    }
]
PRUNER = optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1053)


def space(trial):
    return {
        "optimizer.learning_rate": trial.suggest_float(
            "optimizer.learning_rate", 3e-4, 3e-3, log=True
        ),
        "model.hidden_features": trial.suggest_categorical("model.hidden_features", [128, 256]),
        "model.pooling": trial.suggest_categorical("model.pooling", ["attention", "max", "mean"]),
        "model.dropout": trial.suggest_float("model.dropout", 0.2, 0.6),
        "model.embed_dropout": trial.suggest_float("model.embed_dropout", 0.0, 0.3),
        "model.word_dropout": trial.suggest_float("model.word_dropout", 0.0, 0.2),
    }
