"""configs/sst5.py:vectors with the iterates averaged once validation stops improving
(NT-ASGD's switch, Merity et al. 2017, on Adam), over 3 seeds.

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt
    python -m experiments.sweep experiments/sst5_tune/average/sweep.py --root=/tmp/sst5_average \
        --parallel=2

Validation (every quarter epoch) peaks after about five evaluations and then wanders by a
point from seed to seed; a running mean of the weights from there on should sit nearer the
peak and vary less (the reason AWD-LSTM averages). nonmono 2: averaging starts at the first
evaluation worse than the best of all but the last two.
"""

CONFIG = "configs/sst5.py:vectors"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    add(**{"optimizer.average": "nonmono", "optimizer.nonmono": 2})
