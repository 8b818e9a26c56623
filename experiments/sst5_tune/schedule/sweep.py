"""configs/sst5.py:vectors with the learning rate brought down at the end, over 3 seeds.

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt
    python -m experiments.sweep experiments/sst5_tune/schedule/sweep.py --root=/tmp/sst5_schedule \
        --parallel=2

The shipped variant keeps Adam's rate constant for its two epochs, and its dev accuracy is
still climbing, noisily, at the end. Two ways to settle it: cosine decay to zero over the
two epochs, or NT-ASGD's switch on Adam: average the iterates from the first evaluation
(every quarter epoch) whose dev accuracy is below the best so far (``nonmono=0``; with
awd-lstm-lm's usual ``nonmono`` > 0 the switch did not fire within two epochs).
"""

CONFIG = "configs/sst5.py:vectors"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    add(**{"optimizer.schedule": "cosine"})
    add(**{"optimizer.average": "nonmono", "optimizer.nonmono": 0})
