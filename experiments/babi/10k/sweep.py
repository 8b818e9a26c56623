"""bAbI 10k: one model per task, the 20 tasks x 3 seeds, 15 epochs each (10x the data of
the 1k set per epoch; task 3's 10k training file is missing: its 1k file is used, for 60
epochs as in the 1k sweep).

    python -m experiments.sweep experiments/babi/10k/sweep.py --root=/tmp/babi_10k
    python -m experiments.babi.report
"""

CONFIG = "configs/babi.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy"]
PLOT = {"x": "data.task", "metric": "accuracy"}
# valid_accuracy_best: what experiments.babi.report chooses a reader per task by
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    for task in range(1, 21):
        # task 3 trains on its 1k file: the 1k set's 60 epochs, not 15 of 10x the data
        add(**{"data.set": "en-10k", "data.task": task, "num_epochs": 60 if task == 3 else 15})
