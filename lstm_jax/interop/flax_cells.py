"""Load weights from Flax's own ``nnx.LSTMCell`` / ``nnx.OptimizedLSTMCell``.

Both compute the same i, f, g, o LSTM as ours with one bias on the recurrent side,
so a Flax cell maps onto one (layer, direction) of an ``lstm_jax.nn.LSTM``.
"""

from __future__ import annotations

import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import CheckpointError
from lstm_jax.nn.recurrent import LSTM


def load_flax_lstm_cell(
    layer: LSTM, cell: nnx.LSTMCell | nnx.OptimizedLSTMCell, *, index: int = 0
) -> None:
    """Copies ``cell``'s weights into ``layer.cells[index]`` (index: layer * D + direction)."""
    if isinstance(cell, nnx.OptimizedLSTMCell):
        w_i = cell.dense_i.kernel[...]
        w_h = cell.dense_h.kernel[...]
        b = cell.dense_h.bias[...]
    elif isinstance(cell, nnx.LSTMCell):
        gates_i = (cell.ii, cell.if_, cell.ig, cell.io)
        gates_h = (cell.hi, cell.hf, cell.hg, cell.ho)
        w_i = jnp.concatenate([d.kernel[...] for d in gates_i], axis=-1)
        w_h = jnp.concatenate([d.kernel[...] for d in gates_h], axis=-1)
        b = jnp.concatenate([d.bias[...] for d in gates_h], axis=-1)
    else:
        raise CheckpointError(
            f"expected nnx.LSTMCell or nnx.OptimizedLSTMCell, got {type(cell).__name__}"
        )
    if not 0 <= index < len(layer.cells):
        raise CheckpointError(f"index {index} out of range for {len(layer.cells)} cells")
    target = layer.cells[index]
    if target.proj_kernel is not None or target.ln_input_scale is not None:
        raise CheckpointError(
            "Flax LSTM cells have no projection or layer norm; build a plain LSTM"
        )
    for attr, value in (("input_kernel", w_i), ("recurrent_kernel", w_h), ("bias", b)):
        param = getattr(target, attr)
        if param is None:
            raise CheckpointError("the Flax cell has a bias; build the LSTM with use_bias=True")
        if param.shape != value.shape:
            raise CheckpointError(
                f"Flax cell {attr} has shape {tuple(value.shape)}, "
                f"cells[{index}] needs {tuple(param.shape)}"
            )
        param[...] = jnp.asarray(value, param[...].dtype)
