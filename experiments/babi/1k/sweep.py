"""bAbI 1k: one model per task (configs/babi.py unchanged), the 20 tasks x 3 seeds.

python -m experiments.sweep experiments/babi/1k/sweep.py --root=/tmp/babi_1k
python -m experiments.babi.report     # the per-task table beside the published results
"""

CONFIG = "configs/babi.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy"]
PLOT = {"x": "data.task", "metric": "accuracy"}
# valid_accuracy_best: what experiments.babi.report chooses a reader per task by
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    for task in range(1, 21):
        add(**{"data.task": task})
