"""IMDB movie reviews (Maas et al. 2011), 25k train / 25k test, through TFDS.

    python -m lstm_jax.main --config=configs/imdb.py --workdir=/tmp/imdb \
        --config.data.dir=~/tensorflow_datasets

Needs ``imdb_reviews`` prepared in ``data.dir`` (``tfds build imdb_reviews`` on a
machine with network; read back through array_record, no TensorFlow). The last 10% of
train validates. The same config reads a local CSV instead, e.g. the common
``IMDB Dataset.csv`` with columns review,sentiment:
``--config.data.tfds= --config.data.train=train.csv ... --config.data.text_column=review
--config.data.label_column=sentiment``. Reviews are cut to 400 tokens (counted).
No result yet: IMDB is not on this project's machines (see the README).
"""

from configs import sst2


def get_config():
    c = sst2.get_config()
    c.data.tfds = "imdb_reviews"
    c.data.tfds_splits = "train[:90%],train[90%:],test"
    c.data.dir = "~/tensorflow_datasets"
    c.data.text_column = "text"
    c.data.tokenizer = "wordpunct"
    c.data.min_count = 2
    c.data.max_length = 400
    c.data.pad_multiple = 32
    c.data.eval_batch_size = 64
    c.batch_size = 32
    return c
