"""ETTh1, 24 h ahead: a TPE search over the LSTM forecaster (lookback, width, depth,
dropout, loss, covariates, learning rate), selected on validation MAE only; the best
config then tested over 3 seeds beside the naive forecast, whatever the result.

    python -m experiments.tune experiments/etth1_tune/tune.py --root=/tmp/etth1_tune --parallel=2

configs/etth1.py: valid MAE 1.613, test 1.550; naive valid 1.793, test 1.279.
"""

import optuna

CONFIG = "configs/etth1.py"
METRIC, DIRECTION = "mae", "minimize"
TRIALS = 24
SEEDS = [0, 1, 2]
TEST_METRICS = ["rmse", "naive_mae"]
# configs/etth1.py's own values first
ENQUEUE = [
    {
        "data.lookback": 96,
        "data.covariates": "",
        "model.hidden_features": 64,
        "model.num_layers": 1,
        "model.dropout": 0.0,
        "model.loss": "quantile",
        "optimizer.learning_rate": 1e-3,
    }
]
# judged from the first validation (epoch 1, step 134) on, against the median of the trials
PRUNER = optuna.pruners.MedianPruner(n_startup_trials=6)


def space(trial):
    return {
        "data.lookback": trial.suggest_categorical("data.lookback", [48, 96, 168, 336]),
        "data.covariates": trial.suggest_categorical(
            "data.covariates", ["", "HUFL,HULL,MUFL,MULL,LUFL,LULL"]
        ),
        "model.hidden_features": trial.suggest_categorical("model.hidden_features", [32, 64, 128]),
        "model.num_layers": trial.suggest_int("model.num_layers", 1, 2),
        "model.dropout": trial.suggest_float("model.dropout", 0.0, 0.5),
        "model.loss": trial.suggest_categorical("model.loss", ["mae", "quantile", "mse"]),
        "optimizer.learning_rate": trial.suggest_float(
            "optimizer.learning_rate", 1e-4, 3e-3, log=True
        ),
    }
