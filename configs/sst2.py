"""SST-2 sentiment: a BiLSTM with attention pooling, trained on GLUE's phrases.

    python -m lstm_jax.main --config=configs/sst2.py --workdir=/tmp/sst2

Train: GLUE SST-2 train.tsv (67,349 phrases). Valid: GLUE dev.tsv (872 sentences).
Test: the labelled SST-2 test set, i.e. the 1,821 non-neutral sentences of SST's test
trees (GLUE's own test split has no labels). Expected result and time on a 2-core CPU:
see the README's results table. Classify new text with
``--mode=predict "a gorgeous , witty film"``.

``configs/sst2.py:vectors`` starts the embedding from in-domain word2vec vectors instead
of random ones, with a row for every word they hold (``data.vectors_vocab``), so a test
word never seen in training keeps its vector. Made once, in 160 s: skip-gram on the
polarity v2.0 movie reviews and the SST training sentences, no valid or test text::

    python -m experiments.word2vec --out=/tmp/vectors/movies.txt
    python -m lstm_jax.main --config=configs/sst2.py:vectors --workdir=/tmp/sst2_vectors

Any other word2vec/GloVe text file works through ``--config.data.vectors=FILE``.
"""

import ml_collections

from configs import default
from configs.default import epochs
from lstm_jax.errors import ConfigError

VECTORS = "/tmp/vectors/movies.txt"  # python -m experiments.word2vec --out=/tmp/vectors/movies.txt


def get_config(start: str = "random"):
    """start: random (the default) or vectors (the embedding from VECTORS, see above)."""
    if start not in ("random", "vectors"):
        raise ConfigError(f"unknown variant {start!r}: use :random (the default) or :vectors")
    c = default.get_config("classify")
    c.seed = 0
    c.batch_size = 64

    c.data.train = "../shared/data/sst2/train.tsv"  # .tsv/.csv with a header, or SST trees
    c.data.valid = "../shared/data/sst2/dev.tsv"
    c.data.test = "../shared/data/sst/test.txt"
    # set by the task: ceil(training examples / batch_size)
    c.steps_per_epoch = 1053

    c.model = ml_collections.ConfigDict()
    c.model.embed = 300
    c.model.hidden_features = 256
    c.model.num_layers = 1
    c.model.bidirectional = True
    c.model.pooling = "attention"  # last | mean | max | attention
    c.model.mlp_features = 0  # one hidden layer before the classes (0 = none)
    c.model.dropout = 0.5  # LSTM input, between layers, before each dense layer
    c.model.embed_dropout = 0.0
    c.model.word_dropout = 0.0
    if start == "vectors":
        c.data.vectors = VECTORS
        c.data.vectors_vocab = True  # GLUE dev 0.8624 vs 0.8605 without, over 3 seeds

    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 1e-3
    c.optimizer.clip_norm = 5.0
    c.num_train_steps = epochs(c, 3)
    c.eval_every = epochs(c, 0.25)  # validation is cheap (872 sentences) and noisy
    c.log_every = 100
    c.checkpoint_every = epochs(c, 1)
    c.keep_checkpoints = 2
    return c
