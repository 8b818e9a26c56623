"""SST-2 with in-domain word2vec vectors: a search over the regularization and learning
rate of configs/sst2.py:vectors, selected on GLUE dev, the best then tested over 3 seeds.

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt
    python -m experiments.tune experiments/sst2_vectors_tune/tune.py \
        --root=/tmp/sst2_vectors_tune --parallel=2

Width (256) and pooling (attention) stay: experiments/sst2_tune found nothing better, and
every trial keeps the config's 3 epochs (about 5 min alone on 2 cores). The config itself
is not queued: its 3 seeds are experiments/sst2_tune/vectors (GLUE dev 0.8605 on mean).
Goal (issue 23): test accuracy mean - std >= 85.5% over 3 seeds, <= 6 min per run.
"""

import optuna

CONFIG = "configs/sst2.py:vectors"
METRIC, DIRECTION = "accuracy", "maximize"
TRIALS = 8
SEEDS = [0, 1, 2]
TEST_METRICS = ["macro_f1"]
# validation every quarter epoch: no verdict before the first full epoch (1,053 steps)
PRUNER = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1053)


def space(trial):
    return {
        "optimizer.learning_rate": trial.suggest_float(
            "optimizer.learning_rate", 5e-4, 2e-3, log=True
        ),
        "model.dropout": trial.suggest_float("model.dropout", 0.3, 0.6),
        "model.embed_dropout": trial.suggest_float("model.embed_dropout", 0.0, 0.2),
        "model.word_dropout": trial.suggest_float("model.word_dropout", 0.0, 0.1),
    }
