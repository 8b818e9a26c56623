"""bAbI 1k: the story reader (configs/babi.py:story: :adjacent with a BiLSTM over the
whole story), one model per task, the 20 tasks x 3 seeds.

python -m experiments.sweep experiments/babi/1k_story/sweep.py --root=/tmp/babi_1k_story \
    --parallel=2
"""

CONFIG = "configs/babi.py:story"
SEEDS = [0, 1, 2]
METRICS = ["accuracy"]
PLOT = {"x": "data.task", "metric": "accuracy"}
# valid_accuracy_best: what experiments.babi.report chooses a reader per task by
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    for task in range(1, 21):
        add(**{"data.task": task})
