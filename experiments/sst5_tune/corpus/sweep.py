"""configs/sst5.py:vectors with word vectors from more unlabelled text, over 3 seeds.

    python -m experiments.word2vec --out=/tmp/vectors/movies_wiki.txt \
        --text=../shared/data/movie_review_polarity/review_polarity.tar.gz \
        --text=../shared/data/sst/train.txt --text=../shared/data/wikitext2/train.txt
    python -m experiments.sweep experiments/sst5_tune/corpus/sweep.py --root=/tmp/sst5_corpus \
        --parallel=2

The shipped variant's vectors come from 1.66M tokens of movie reviews and SST training
sentences; these add WikiText-2's 2.05M training tokens of Wikipedia (no SST text).
"""

CONFIG = "configs/sst5.py:vectors"
SEEDS = [0, 1, 2]
METRICS = ["accuracy", "macro_f1"]
CURVES = {"metric": "accuracy", "mode": "max", "logy": False}


def sweep(add):
    add(**{"data.vectors": "/tmp/vectors/movies_wiki.txt"})
