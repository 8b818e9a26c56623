"""The best of 14 trials of experiments/ptb_small_tune/tune.py: trial 4,
best valid nll 5.29483: configs/ptb_small.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/ptb_small_tune/best.py \
        --workdir=/tmp/ptb_small_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        "configs/ptb_small.py",
        {
            "model.input_dropout": 0.2077131461029925,
            "model.hidden_dropout": 0.2077131461029925,
            "model.output_dropout": 0.2077131461029925,
            "model.variational": False,
            "model.weight_drop": 0.45804847236996565,
            "model.tie": True,
        },
    )
