"""configs/sst5.py started from in-domain word2vec vectors, over 3 seeds (issue 23's goal).

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt
    python -m experiments.sweep experiments/sst5_tune/vectors/sweep.py --root=/tmp/sst5_vectors \
        --parallel=2

The vectors: skip-gram on the polarity v2.0 reviews and the SST training sentences (no
valid or test text), see experiments/word2vec.py. Everything else is the shipped config.
"""

CONFIG = "configs/sst5.py"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    add(**{"data.vectors": "/tmp/vectors/movies.txt"})
    # and a row for every word of the vector file: test words unseen in training keep theirs
    add(**{"data.vectors": "/tmp/vectors/movies.txt", "data.vectors_vocab": True})
