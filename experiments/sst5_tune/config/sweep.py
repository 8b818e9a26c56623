"""configs/sst5.py as shipped, over the seeds the study's best config ran with: the
comparison the study's results.md is read against.

python -m experiments.sweep experiments/sst5_tune/config/sweep.py --root=/tmp/sst5_config \
    --parallel=2
"""

CONFIG = "configs/sst5.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]


def sweep(add):
    add()
