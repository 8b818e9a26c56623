"""bAbI 10k task 19 (path finding): the one-direction story reader of
experiments/babi/10k_forward for 60 epochs instead of 30, seeds 0-2. At 30 epochs one seed
of three was learning it (65.1% test, validation 0.35 -> 0.64 -> 0.65 over its last
three evaluations, loss still falling) while the others stayed near chance.

python -m experiments.sweep experiments/babi/10k_forward_60/sweep.py \
    --root=/tmp/babi_10k_forward_60 --parallel=2
"""

CONFIG = "configs/babi.py:story"
SEEDS = [0, 1, 2]
METRICS = ["accuracy"]
PLOT = {"x": "data.task", "metric": "accuracy"}
# valid_accuracy_best: what experiments.babi.report chooses a reader per task by
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    add(
        **{
            "data.set": "en-10k",
            "data.task": 19,
            "num_epochs": 60,
            "model.bidirectional": False,
        }
    )
