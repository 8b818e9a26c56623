"""The copy-memory task (Arjovsky et al. 2016): recall 10 symbols after T = 50 blanks.

    python -m lstm_jax.main --config=configs/copy.py --workdir=/tmp/copy

Variants: `configs/copy.py:gru`, `configs/copy.py:rnn`. The memoryless baseline is
10 ln 8 / (T + 20) = 0.297 nats per step at T = 50.
"""

from configs import default


def get_config(cell: str = "lstm"):
    c = default.get_config()
    c.task = "copy"
    c.model.cell = cell
    c.model.hidden_features = 128
    c.data.length = 50
    c.batch_size = 64
    c.num_train_steps = 2000
    c.eval_every = 250
    c.checkpoint_every = 250
    c.optimizer.learning_rate = 2e-3
    return c
