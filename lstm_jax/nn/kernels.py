"""Pure-JAX recurrences for LSTM, GRU and tanh RNN.

Every kernel runs time-major over a precomputed input projection: the input
matmul for all steps is one big GEMM done by the caller, so the scan body holds
only the small ``h @ w_hh`` matmul and elementwise gate math.

Shapes: ``T`` time, ``B`` batch, ``H`` hidden, ``P`` output (= H unless LSTMP).

Gate order (the same as ``torch.nn.LSTM`` / ``torch.nn.GRU`` and Flax's
``OptimizedLSTMCell``):
  LSTM: i (input), f (forget), g (cell candidate), o (output)
  GRU:  r (reset), z (update), n (new)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

Array = jax.Array
LN_EPS = 1e-5


def time_mask(lengths: Array | None, time: int) -> Array | None:
    """bool[T, B, 1]: True where step t is inside sequence b."""
    if lengths is None:
        return None
    return (jnp.arange(time)[:, None] < lengths[None, :])[..., None]


def reverse_padded(x: Array, lengths: Array | None) -> Array:
    """Reverses the valid part of each sequence of ``x: [T, B, ...]`` in place.

    Padding stays where it is, so running a forward scan over the result and
    reversing its outputs again gives the backward direction over valid steps
    only. The map is its own inverse.
    """
    if lengths is None:
        return jnp.flip(x, axis=0)
    t = jnp.arange(x.shape[0])[:, None]
    idx = jnp.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    idx = idx.reshape(idx.shape + (1,) * (x.ndim - 2))
    return jnp.take_along_axis(x, idx, axis=0)


def gate_layer_norm(x: Array, scale: Array, num_gates: int) -> Array:
    """Layer-normalises each gate's pre-activation separately (Ba et al., 2016).

    x: float32[..., num_gates * H]; scale: float32[num_gates * H].
    """
    shape = x.shape
    x = x.reshape((*shape[:-1], num_gates, shape[-1] // num_gates))
    mean = x.mean(-1, keepdims=True)
    var = jnp.square(x - mean).mean(-1, keepdims=True)
    x = (x - mean) * jax.lax.rsqrt(var + LN_EPS)
    return x.reshape(shape) * scale


def _dot(h: Array, w: Array) -> Array:
    """h @ w in w's dtype, accumulated in float32."""
    return jnp.dot(h.astype(w.dtype), w, preferred_element_type=jnp.float32)


def _scan(
    step: Callable[[Any, Array], tuple[Any, Array]],
    carry: Any,
    xs: Array,
    mask: Array | None,
    unroll: int,
) -> tuple[Any, Array]:
    """lax.scan of ``step``; past a sequence's end the carry freezes and outputs are 0."""
    if mask is None:
        return jax.lax.scan(step, carry, xs, unroll=unroll)

    def masked_step(c, inputs):
        x_t, m_t = inputs
        new_c, y = step(c, x_t)
        new_c = jax.tree.map(lambda n, o: jnp.where(m_t, n, o), new_c, c)
        return new_c, jnp.where(m_t, y, jnp.zeros_like(y))

    return jax.lax.scan(masked_step, carry, (xs, mask), unroll=unroll)


def lstm_scan(
    xw: Array,
    w_hh: Array,
    h0: Array,
    c0: Array,
    mask: Array | None = None,
    *,
    w_hr: Array | None = None,
    recurrent_mask: Array | None = None,
    ln_hh_scale: Array | None = None,
    ln_c_scale: Array | None = None,
    ln_c_bias: Array | None = None,
    unroll: int = 1,
) -> tuple[Array, tuple[Array, Array]]:
    """Runs an LSTM over a precomputed input projection.

    Args:
      xw: float32[T, B, 4H], ``x @ w_ih + b`` (layer-normalised already if LN is on).
      w_hh: [P, 4H] recurrent kernel, in the compute dtype.
      h0: float32[B, P]; c0: float32[B, H].
      mask: bool[T, B, 1] or None (see ``time_mask``).
      w_hr: [H, P] output projection (LSTMP) or None.
      recurrent_mask: float32[B, P] variational dropout mask applied to h_{t-1}.
      ln_hh_scale, ln_c_scale, ln_c_bias: layer-norm parameters or None.
      unroll: scan unroll factor.

    Returns:
      outputs float32[T, B, P] and the final (h float32[B, P], c float32[B, H]).
    """

    def step(carry, xw_t):
        h, c = carry
        h_in = h if recurrent_mask is None else h * recurrent_mask
        rec = _dot(h_in, w_hh)
        if ln_hh_scale is not None:
            rec = gate_layer_norm(rec, ln_hh_scale, 4)
        i, f, g, o = jnp.split(xw_t + rec, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        c_out = c
        if ln_c_scale is not None:
            c_out = gate_layer_norm(c, ln_c_scale, 1) + ln_c_bias
        h = jax.nn.sigmoid(o) * jnp.tanh(c_out)
        if w_hr is not None:
            h = _dot(h, w_hr)
        return (h, c), h

    (h, c), ys = _scan(step, (h0, c0), xw, mask, unroll)
    return ys, (h, c)


def gru_scan(
    xw: Array,
    w_hh: Array,
    b_hh: Array,
    h0: Array,
    mask: Array | None = None,
    *,
    recurrent_mask: Array | None = None,
    unroll: int = 1,
) -> tuple[Array, Array]:
    """Runs a GRU (``torch.nn.GRU`` equations) over a precomputed input projection.

    ``n = tanh(xw_n + r * (h @ w_hn + b_hn))``: the reset gate multiplies the
    recurrent term including its bias, so the recurrent bias is kept apart.

    Args:
      xw: float32[T, B, 3H], ``x @ w_ih + b_ih``.
      w_hh: [H, 3H]; b_hh: float32[3H]; h0: float32[B, H].
      mask, recurrent_mask, unroll: as in ``lstm_scan``.

    Returns:
      outputs float32[T, B, H] and the final h float32[B, H].
    """

    def step(h, xw_t):
        h_in = h if recurrent_mask is None else h * recurrent_mask
        rec = _dot(h_in, w_hh) + b_hh
        xr, xz, xn = jnp.split(xw_t, 3, axis=-1)
        hr, hz, hn = jnp.split(rec, 3, axis=-1)
        r = jax.nn.sigmoid(xr + hr)
        z = jax.nn.sigmoid(xz + hz)
        n = jnp.tanh(xn + r * hn)
        h = (1.0 - z) * n + z * h
        return h, h

    h, ys = _scan(step, h0, xw, mask, unroll)
    return ys, h


def rnn_scan(
    xw: Array,
    w_hh: Array,
    h0: Array,
    mask: Array | None = None,
    *,
    activation: Callable[[Array], Array] = jnp.tanh,
    recurrent_mask: Array | None = None,
    unroll: int = 1,
) -> tuple[Array, Array]:
    """Runs an Elman RNN ``h = act(xw_t + h @ w_hh)``; shapes as in ``gru_scan`` with 1 gate."""

    def step(h, xw_t):
        h_in = h if recurrent_mask is None else h * recurrent_mask
        h = activation(xw_t + _dot(h_in, w_hh))
        return h, h

    h, ys = _scan(step, h0, xw, mask, unroll)
    return ys, h
