"""Character-level LSTM LM on Tiny Shakespeare (Karpathy's char-rnn data), bits per char.

    python -m lstm_jax.main --config=configs/char_shakespeare.py --workdir=/tmp/shakespeare \
        --config.data.file=../shared/data/tinyshakespeare/input.txt
    python -m lstm_jax.main --config=configs/char_shakespeare.py --workdir=/tmp/shakespeare \
        --mode=predict "ROMEO:"

The file is cut 90/5/5 (by characters) into train/valid/test. 2 x 256 LSTM, Adam 2e-3,
dropout 0.25, batch 32, bptt 100, 10 epochs. Expected result and time: the README's results table.
From TFDS instead: --config.data.file= --config.data.tfds=tiny_shakespeare
--config.data.dir=<your prepared TFDS data_dir>.
"""

from configs import ptb_small
from configs.default import epochs


def get_config():
    c = ptb_small.get_config()
    c.batch_size = 32
    c.data.dir = ""
    c.data.file = "../shared/data/tinyshakespeare/input.txt"
    c.data.level = "char"
    c.data.vocab_size = 0
    c.data.bptt = 100
    c.data.eval_bptt = 500
    c.data.eval_batch_size = 8
    c.steps_per_epoch = 313  # 1.0M train characters at batch 32, bptt 100 (reset)
    c.model.embed = 64
    c.model.hidden_features = 256
    c.model.input_dropout = c.model.hidden_dropout = c.model.output_dropout = 0.25
    c.model.init_scale = 0.0
    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 2e-3
    c.optimizer.clip_norm = 5.0
    c.optimizer.schedule = "constant"
    c.num_train_steps = epochs(c, 10)
    c.predict.length = 300
    c.predict.temperature = 0.8
    return c
