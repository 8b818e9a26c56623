"""The best of 24 trials of experiments/etth1_tune/tune.py: trial 3,
best valid mae 1.56353: configs/etth1.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/etth1_tune/best.py \
        --workdir=/tmp/etth1_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        "configs/etth1.py",
        {
            "data.lookback": 48,
            "data.covariates": "",
            "model.hidden_features": 64,
            "model.num_layers": 1,
            "model.dropout": 0.11200438625521547,
            "model.loss": "mae",
            "optimizer.learning_rate": 0.002763391943095835,
        },
    )
