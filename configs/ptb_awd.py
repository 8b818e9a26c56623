"""AWD-LSTM (Merity et al. 2017) on Penn Treebank, without finetuning: paper test 58.8.

    python -m lstm_jax.main --config=configs/ptb_awd.py --workdir=/tmp/ptb_awd \
        --config.data.dir=../shared/data/ptb

3 layers (1150, 1150, 400), tied 400-d embedding, SGD lr 30 switched to averaged SGD
when validation stops improving (NT-ASGD, nonmono 5), clip 0.25, weight decay 1.2e-6,
dropouts (embedding 0.1, input 0.4, hidden 0.25, output 0.4, weight 0.5), AR 2, TAR 1,
random BPTT around 70, batch 20, 500 epochs: the settings of the awd-lstm-lm README.
About 24M parameters: far too slow to finish on a 2-core CPU; see the README for how
far it got.
"""

from configs import ptb_small
from configs.default import epochs


def get_config():
    c = ptb_small.get_config()
    c.seed = 141
    c.data.bptt = 70
    c.data.random_bptt = True
    c.data.eval_batch_size = 10
    c.steps_per_epoch = 663  # PTB at batch 20, bptt 70 (reset from the data)
    c.model.embed = 400
    c.model.hidden_features = 1150
    c.model.num_layers = 3
    c.model.tie = True
    c.model.variational = True
    c.model.embed_dropout = 0.1
    c.model.input_dropout = 0.4
    c.model.hidden_dropout = 0.25
    c.model.output_dropout = 0.4
    c.model.weight_drop = 0.5
    c.model.init_scale = 0.0  # PyTorch's default initialisation, as AWD-LSTM uses
    c.model.ar_alpha = 2.0
    c.model.tar_beta = 1.0
    c.optimizer.learning_rate = 30.0
    c.optimizer.clip_norm = 0.25
    c.optimizer.weight_decay = 1.2e-6
    c.optimizer.schedule = "constant"
    c.optimizer.average = "nonmono"
    c.optimizer.nonmono = 5
    c.num_train_steps = epochs(c, 500)
    c.checkpoint_every = 200
    return c
