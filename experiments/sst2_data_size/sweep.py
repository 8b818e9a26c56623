"""Study 3: SST-2 accuracy against training-set size (1k, 10k: 3 seeds; all 67,349
phrases: 1 seed), the BiLSTM of configs/sst2.py at each size; each subset is drawn with the run's
seed. A smaller set gets more epochs so that every size is trained to its best
validation accuracy (the best checkpoint is tested): 1k 30 epochs, 10k 10, all 3.

    python -m experiments.sweep experiments/sst2_data_size/sweep.py \
        --root=/tmp/sst2_size --parallel=2
"""

CONFIG = "configs/sst2.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
PLOT = {"x": "data.train_limit", "series": "model.pooling", "metric": "accuracy"}
# steps per epoch at batch 64: ceil(size / 64)
BUDGET = {
    1000: {"num_train_steps": 30 * 16, "eval_every": 2 * 16, "checkpoint_every": 10 * 16},
    10000: {"num_train_steps": 10 * 157, "eval_every": 157, "checkpoint_every": 5 * 157},
}


def sweep(add):
    for size in (1000, 10000):
        add(**{"data.train_limit": size, "model.pooling": "attention"}, **BUDGET[size])
    # the whole set: one seed (a run is 4.5 min alone; the 2-core session had no time for 3)
    add(**{"data.train_limit": 67349, "model.pooling": "attention"}, seeds=[0])
