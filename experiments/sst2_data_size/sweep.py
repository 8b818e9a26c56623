"""Study 3: SST-2 accuracy against training-set size (1k, 10k, all 67k phrases), 3 seeds,
the LSTM of configs/sst2.py at each size; each subset is drawn with the run's seed.

    python -m experiments.sweep experiments/sst2_data_size/sweep.py --root=/tmp/sst2_size
"""

CONFIG = "configs/sst2.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
PLOT = {"x": "data.train_limit", "series": "model.pooling", "metric": "accuracy"}


def sweep(add):
    for size in (1000, 10000, 67349):
        add(**{"data.train_limit": size})
