"""Weight drop (DropConnect on the recurrent kernel), AWD-LSTM's main regulariser.

One mask per forward pass over the whole hidden-to-hidden matrix: the same
dropped connections at every time step, leaving the fast fused recurrence intact.
"""

from __future__ import annotations

import jax

from lstm_jax.nn.locked_dropout import dropout_mask


def drop_connect(w: jax.Array, rate: float, key: jax.Array) -> jax.Array:
    """w: [in, out] -> w with each weight zeroed with probability ``rate`` and rescaled."""
    return w * dropout_mask(key, rate, w.shape).astype(w.dtype)
