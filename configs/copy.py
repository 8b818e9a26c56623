"""The copy-memory task (Arjovsky et al. 2016): recall 10 symbols after T = 50 blanks.

    python -m lstm_jax.main --config=configs/copy.py --workdir=/tmp/copy

Variants: `configs/copy.py:gru`, `configs/copy.py:rnn`. The memoryless baseline is
10 ln 8 / (T + 20) = 0.297 nats per step at T = 50; chance recall is 1/8.
Expected (measured on a 2-core CPU, seed 0, 3,000 steps of batch 64):
  lstm: test cross-entropy 0.226, 33.6% of symbols recalled, 119 s (still improving);
  gru:  0.0075, 98.2%, 165 s;  rnn: 0.298, 12.4% (chance), 52 s.
"""

from configs import default


def get_config(cell: str = "lstm"):
    c = default.get_config("copy")
    c.model.cell = cell
    c.model.hidden_features = 128
    c.batch_size = 64
    c.num_train_steps = 3000
    c.eval_every = 250
    c.checkpoint_every = 250
    c.optimizer.learning_rate = 1e-2
    return c
