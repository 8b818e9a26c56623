"""The best of 10 trials of experiments/sst5_tune/tune.py: trial 3,
best valid accuracy 0.469573: configs/sst5.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/sst5_tune/best.py \
        --workdir=/tmp/sst5_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        "configs/sst5.py",
        {
            "optimizer.learning_rate": 0.001066397595817034,
            "model.hidden_features": 128,
            "model.pooling": "mean",
            "model.dropout": 0.2502341241855345,
            "model.embed_dropout": 0.062172863441456026,
            "model.word_dropout": 0.010293440660165977,
        },
    )
