"""The best of 12 trials of experiments/sst2_tune/tune.py: trial 6,
best valid accuracy 0.855505: configs/sst2.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/sst2_tune/best.py \
        --workdir=/tmp/sst2_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        "configs/sst2.py",
        {
            "optimizer.learning_rate": 0.001,
            "model.hidden_features": 256,
            "model.pooling": "attention",
            "model.dropout": 0.5,
            "model.embed_dropout": 0.0,
            "model.word_dropout": 0.0,
        },
    )
