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
    c = default.get_config("tag")
    c.seed = 0
    c.batch_size = 32

    c.data.dir = "../shared/data/conll2003"
    c.data.train = "eng.train"
    c.data.valid = "eng.testa"
    c.data.test = "eng.testb"
    c.steps_per_epoch = 439  # stands in until the data is read

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
