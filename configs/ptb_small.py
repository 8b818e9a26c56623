"""Zaremba et al. (2014) "small" word LM on Penn Treebank: 2 x 200 LSTM, no dropout.

    python -m lstm_jax.main --config=configs/ptb_small.py --workdir=/tmp/ptb_small \
        --config.data.dir=../shared/data/ptb

Paper: valid 120.7, test 114.5 after 13 epochs (SGD lr 1, halved each epoch after the
4th, clip 5, weights U(-0.1, 0.1), batch 20, bptt 20). The paper's loss is summed over
the bptt steps of a window; ours is the mean over tokens, so its lr 1 and clip 5 are our
lr 1 x bptt and clip 5 / bptt: the very same updates. Test perplexity is computed at
batch 1 with the state carried through the whole split, as the paper's code does.
Expected result and time on a 2-core CPU: see the README's results table.

This file is also the base of every LM config.
"""

import ml_collections

from configs import default
from configs.default import epochs


def get_config():
    c = default.get_config("lm")
    c.seed = 0
    c.batch_size = 20

    c.data.dir = "../shared/data/ptb"  # train/valid/test files: ptb.*.txt, wiki.*.tokens, *.txt
    # the papers' protocol: Mikolov's PTB has exactly 10k words, so this cap maps nothing to
    # <unk>; for another corpus, --config.data.vocab_size=0 keeps every word
    c.data.vocab_size = 10_000
    # Training windows per epoch, (tokens // batch - 1) // bptt, set from the data. The value
    # here is PTB's at batch 20, bptt 20, so the derived keys read right before loading.
    c.steps_per_epoch = 2323

    c.model = ml_collections.ConfigDict()
    c.model.cell = "lstm"  # lstm | gru | rnn (tanh), as pytorch/examples' word_language_model
    c.model.embed = 200
    c.model.hidden_features = 200
    c.model.num_layers = 2
    c.model.tie = False  # share the embedding with the softmax (needs its size at the top)
    c.model.proj_features = 0  # LSTMP: project each layer's output to this size (0 = off)
    c.model.variational = False
    c.model.embed_dropout = 0.0
    c.model.input_dropout = 0.0
    c.model.hidden_dropout = 0.0
    c.model.output_dropout = 0.0
    c.model.weight_drop = 0.0
    c.model.init_scale = 0.1  # U(-s, s) for every weight; 0 = PyTorch's defaults
    c.model.forget_bias = 0.0
    c.model.ar_alpha = 0.0
    c.model.tar_beta = 0.0

    c.optimizer.name = "sgd"
    c.optimizer.learning_rate = 1.0 * 20  # the paper's lr 1 on a loss summed over 20 steps
    c.optimizer.clip_norm = 5.0 / 20
    c.optimizer.schedule = "step"
    c.optimizer.decay_factor = 0.5
    c.optimizer.decay_every = epochs(c, 1)
    c.optimizer.decay_start = epochs(c, 3)  # epochs 1-4 at lr 1, then x0.5 per epoch

    c.num_train_steps = epochs(c, 13)
    c.eval_every = epochs(c, 1)
    c.log_every = 200
    c.checkpoint_every = 500
    c.keep_checkpoints = 2

    return c
