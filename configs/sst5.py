"""SST-5 fine-grained sentiment (very negative .. very positive) from SST's PTB trees.

    python -m lstm_jax.main --config=configs/sst5.py --workdir=/tmp/sst5

Trains on every labelled phrase of the 8,544 training trees, as Tai et al. (2015) did;
validates and tests on the 1,101 / 2,210 root sentences. Tai et al. report 46.4% test
accuracy for their LSTM (with GloVe vectors; we start from random ones, or with
``configs/sst5.py:vectors`` from in-domain word2vec ones, made as configs/sst2.py says).
Expected result and time on a 2-core CPU: see the README's results table.
"""

from configs import sst2
from configs.default import epochs


def get_config(start: str = "random"):
    """start: random (the default) or vectors, as configs/sst2.py."""
    c = sst2.get_config(start)
    c.data.train = "../shared/data/sst/train.txt"
    c.data.valid = "../shared/data/sst/dev.txt"
    c.data.test = "../shared/data/sst/test.txt"
    c.data.class_names = "very negative,negative,neutral,positive,very positive"
    c.data.sst_phrases = True
    c.model.pooling = "attention"
    c.num_train_steps = epochs(c, 2)  # 159,274 phrases: 2,489 steps per epoch at batch 64
    return c
