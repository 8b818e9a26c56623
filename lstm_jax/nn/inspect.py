"""What an LSTM does inside: its gates and cell state at every step, for plots.

``gates = lstm_gates(layer, x)`` replays the recurrence of a trained ``LSTM`` in plain
JAX and returns each step's ``i``, ``f``, ``g``, ``o``, ``c`` and ``h``, every one
float32[batch, time, hidden], for the forward direction of layer ``layer_index``. The
stack below it runs in eval mode. Plain cells only (no projection or layer norm), the
cells whose memory Hochreiter & Schmidhuber's argument is about.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lstm_jax.errors import ConfigError
from lstm_jax.nn import kernels
from lstm_jax.nn.recurrent import LSTM

NAMES = ("i", "f", "g", "o", "c", "h")


def _trace_cell(cell, x: jax.Array) -> dict[str, jax.Array]:
    """x: float32[batch, time, in] -> the six traces of one cell, [batch, time, hidden]."""
    w_ih, w_hh = cell.input_kernel[...], cell.recurrent_kernel[...]
    b = cell.bias[...] if cell.bias is not None else 0.0
    hidden = w_hh.shape[0]
    pre_x = jnp.einsum("btf,fg->tbg", x.astype(jnp.float32), w_ih) + b

    def step(carry, px):
        h, c = carry
        # the kernels' own gate nonlinearities, so the replay cannot drift from the layer
        i, f, g, o = jnp.split(kernels._gates(px + h @ w_hh), 4, axis=-1)
        c = f * c + i * g
        h = o * jnp.tanh(c)
        return (h, c), (i, f, g, o, c, h)

    zeros = jnp.zeros((x.shape[0], hidden), jnp.float32)
    _, traces = jax.lax.scan(step, (zeros, zeros), pre_x)
    return {n: jnp.swapaxes(t, 0, 1) for n, t in zip(NAMES, traces, strict=True)}


def lstm_gates(layer: LSTM, x: jax.Array, layer_index: int = 0) -> dict[str, jax.Array]:
    """x: float32[batch, time, features] from a zero state -> {"i", "f", "g", "o", "c",
    "h"}: float32[batch, time, hidden] each (gates after their nonlinearity)."""
    if not isinstance(layer, LSTM):
        raise ConfigError(f"lstm_gates needs an LSTM layer, got {type(layer).__name__}")
    if layer.bidirectional:
        raise ConfigError("lstm_gates traces unidirectional LSTMs; build one without bidirectional")
    if not 0 <= layer_index < layer.num_layers:
        raise ConfigError(f"layer_index must be in [0, {layer.num_layers}), got {layer_index}")
    for cell in layer.cells:
        if cell.proj_kernel is not None or cell.ln_input_scale is not None:
            raise ConfigError(
                "lstm_gates traces plain LSTM cells (no proj_features, no layer_norm)"
            )
    if layer.time_major:
        x = jnp.swapaxes(x, 0, 1)
    for idx in range(layer_index + 1):
        traces = _trace_cell(layer.cells[idx], x)
        x = traces["h"]
    return traces
