"""Zaremba et al. (2014) "large": 2 x 1500, dropout 0.65, 55 epochs. Paper: test 78.4.

    python -m lstm_jax.main --config=configs/ptb_large.py --workdir=/tmp/ptb_large \
        --config.data.dir=../shared/data/ptb

lr 1 for 14 epochs, then /1.15 per epoch; clip 10; U(-0.04, 0.04); bptt 35.
Too slow for a 2-core CPU (hours per epoch's worth of GEMMs): meant for a GPU.
"""

from configs import ptb_medium
from configs.default import epochs


def get_config():
    c = ptb_medium.get_config()
    c.model.embed = c.model.hidden_features = 1500
    c.model.input_dropout = c.model.hidden_dropout = c.model.output_dropout = 0.65
    c.model.init_scale = 0.04
    c.optimizer.clip_norm = 10.0 / 35
    c.optimizer.decay_factor = 1 / 1.15
    c.optimizer.decay_start = epochs(c, 13)
    c.num_train_steps = epochs(c, 55)
    return c
