"""The best of 11 trials of experiments/ner_tune/tune.py: trial 6,
best valid f1 0.902758: configs/conll2003_ner.py with the trial's settings
(written by experiments/tune.py; its test numbers over seeds: results.md beside this file).

    python -m lstm_jax.main --config=experiments/ner_tune/best.py \
        --workdir=/tmp/conll2003_ner_best
"""

from experiments.tune import base_config


def get_config():
    return base_config(
        "configs/conll2003_ner.py",
        {
            "optimizer.learning_rate": 0.00390688075311622,
            "model.hidden_features": 200,
            "model.num_layers": 1,
            "model.char_hidden": 50,
            "model.dropout": 0.4589452086578465,
            "model.word_dropout": 0.12564222856699628,
            "num_epochs": 20.0,
        },
    )
