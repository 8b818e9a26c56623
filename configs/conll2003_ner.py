"""CoNLL-2003 English NER: word + character BiLSTM features, a BiLSTM, and a CRF.

    python -m lstm_jax.main --config=configs/conll2003_ner.py --workdir=/tmp/ner
    echo "EU rejects German call to boycott British lamb ." | python -m lstm_jax.main \
        --config=configs/conll2003_ner.py --workdir=/tmp/ner --mode=predict --input=-

Train eng.train (14,041 sentences), validate eng.testa (3,250), test eng.testb (3,453);
the original IOB1 tags are trained as BIOES. No pretrained embeddings: Lample et al.
(2016) reach 90.94 test F1 with pretrained ones. Expected result and time on a 2-core
CPU: see the README's table.
"""

import ml_collections

from configs import default
from configs.default import epochs


def get_config():
    c = default.get_config()
    c.task = "tag"
    c.seed = 0
    c.batch_size = 32

    c.data = ml_collections.ConfigDict()
    c.data.dir = "../shared/data/conll2003"
    c.data.train = "eng.train"
    c.data.valid = "eng.testa"
    c.data.test = "eng.testb"
    c.data.tag_column = -1  # the NER column
    c.data.tfds = ""  # or TFDS conll2003 (BIO tags: also set data.scheme=bio), in data.dir
    c.data.tfds_splits = "train,dev,test"
    c.data.tfds_tags = "ner"
    c.data.scheme = "iob1"  # the files' scheme: iob1 | bio | bioes
    c.data.train_scheme = "bioes"  # what the model predicts
    c.data.lowercase = False  # the character features see the case either way
    c.data.zero_digits = True
    c.data.vocab_size = 0
    c.data.min_count = 1
    c.data.max_word_length = 20  # characters per word fed to the character BiLSTM
    c.data.pad_multiple = 8
    c.data.eval_batch_size = 128
    c.data.steps_per_epoch = ml_collections.FieldReference(439)  # set by the task

    c.model = ml_collections.ConfigDict()
    c.model.embed = 100
    c.model.hidden_features = 100  # per direction
    c.model.num_layers = 1
    c.model.char_embed = 25
    c.model.char_hidden = 25  # per direction; 0 = no character features
    c.model.crf = True  # False: per-token softmax
    c.model.dropout = 0.5
    c.model.word_dropout = 0.15  # words -> <unk> in training (characters still see them)

    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 2e-3
    c.optimizer.clip_norm = 5.0
    c.num_train_steps = epochs(c, 10)
    c.eval_every = epochs(c, 1)
    c.log_every = 100
    c.checkpoint_every = epochs(c, 1)
    c.keep_checkpoints = 2
    return c
