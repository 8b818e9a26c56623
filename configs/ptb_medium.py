"""Zaremba et al. (2014) "medium": 2 x 650, dropout 0.5, 39 epochs. Paper: test 82.7.

    python -m lstm_jax.main --config=configs/ptb_medium.py --workdir=/tmp/ptb_medium \
        --config.data.dir=../shared/data/ptb

lr 1 for 6 epochs, then x0.8 per epoch; clip 5; U(-0.05, 0.05); bptt 35 (lr and clip
scaled by bptt for our per-token mean loss, as in ptb_small).
On a 2-core CPU an epoch takes several minutes: see the README for the measured curve.
"""

from configs import ptb_small
from configs.default import epochs


def get_config():
    c = ptb_small.get_config()
    c.data.bptt = 35
    c.steps_per_epoch = 1327  # PTB at batch 20, bptt 35 (reset from the data)
    c.model.embed = c.model.hidden_features = 650
    c.model.input_dropout = c.model.hidden_dropout = c.model.output_dropout = 0.5
    c.model.init_scale = 0.05
    c.optimizer.learning_rate = 1.0 * 35
    c.optimizer.clip_norm = 5.0 / 35
    c.optimizer.decay_factor = 0.8
    c.optimizer.decay_start = epochs(c, 5)
    c.num_train_steps = epochs(c, 39)
    return c
