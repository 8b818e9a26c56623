"""The best of 12 trials of experiments/sst2_tune/tune.py: trial 6,
best valid accuracy 0.855505: configs/sst2.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/sst2_tune/best.py --workdir=/tmp/sst2_best
"""

import importlib.util
import os

BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../configs/sst2.py")


def get_config():
    spec = importlib.util.spec_from_file_location("base_config", BASE)
    base = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(base)
    c = base.get_config()
    c.update_from_flattened_dict(
        {
            "optimizer.learning_rate": 0.001,
            "model.hidden_features": 256,
            "model.pooling": "attention",
            "model.dropout": 0.5,
            "model.embed_dropout": 0.0,
            "model.word_dropout": 0.0,
        }
    )
    return c
