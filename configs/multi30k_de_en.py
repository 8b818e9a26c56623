"""Multi30k German -> English: BiLSTM encoder, LSTM decoder with Luong attention.

    python -m lstm_jax.main --config=configs/multi30k_de_en.py --workdir=/tmp/m30k_de_en
    echo "Ein Hund rennt im Schnee." | python -m lstm_jax.main \
        --config=configs/multi30k_de_en.py --workdir=/tmp/m30k_de_en --mode=predict --input=-

29,000 training pairs; validation BLEU on val (1,014, greedy) picks the checkpoint; the
test is test_2016_flickr (1,000) with beam search. Joint sentencepiece subwords trained on
the training text. BLEU and chrF are sacreBLEU's on detokenized, cased output against
the raw references. Expected result and time on a 2-core CPU: see the README's table.
"""

import ml_collections

from configs import default
from configs.default import epochs


def get_config():
    c = default.get_config("translate")
    c.seed = 0
    c.batch_size = 64

    c.data.dir = "../shared/data/multi30k"
    # {lang} becomes source_lang and target_lang: a file per language, line i <-> line i;
    # a path without {lang} is one file of source<TAB>target lines
    c.data.train = "train.{lang}.gz"
    c.data.valid = "val.{lang}.gz"
    c.data.test = "test_2016_flickr.{lang}.gz"
    c.steps_per_epoch = 454  # stands in until the data is read

    c.model = ml_collections.ConfigDict()
    c.model.embed = 256
    c.model.hidden_features = 256  # decoder units; the encoder has 128 per direction
    c.model.encoder_layers = 1
    c.model.num_layers = 1  # decoder layers
    c.model.attention = "general"  # dot | general | additive (Bahdanau)
    c.model.input_feeding = True
    c.model.tie = True  # target embedding = output layer (needs embed == hidden)
    c.model.dropout = 0.3
    c.model.label_smoothing = 0.1

    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 2e-3
    c.optimizer.clip_norm = 1.0
    c.optimizer.schedule = "cosine"
    c.optimizer.warmup_steps = 200
    c.num_train_steps = epochs(c, 14)  # ~55 min on 2 CPU cores
    c.eval_every = epochs(c, 2)
    c.log_every = 100
    c.checkpoint_every = epochs(c, 1)
    c.keep_checkpoints = 2
    return c
