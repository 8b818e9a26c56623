"""Pure-JAX recurrences for LSTM, GRU and tanh RNN.

All kernels run time-major. ``gru_scan``, ``rnn_scan`` and ``lstm_scan`` (the LSTM
with layer norm or projection) take a precomputed input projection: the input matmul
for all steps is one big GEMM done by the caller, so the scan body holds only the
small ``h @ w_hh`` matmul and the gate math. ``lstm_fused`` (the plain LSTM, the hot
path) takes raw inputs; see its comment block for why, and for its backward pass.

Shapes: ``T`` time, ``B`` batch, ``H`` hidden, ``P`` output (= H unless LSTMP).

Gate order (the same as ``torch.nn.LSTM`` / ``torch.nn.GRU`` and Flax's
``OptimizedLSTMCell``):
  LSTM: i (input), f (forget), g (cell candidate), o (output)
  GRU:  r (reset), z (update), n (new)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
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


def dot(h: Array, w: Array) -> Array:
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
        rec = dot(h_in, w_hh)
        if ln_hh_scale is not None:
            rec = gate_layer_norm(rec, ln_hh_scale, 4)
        i, f, g, o = jnp.split(xw_t + rec, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        c_out = c
        if ln_c_scale is not None:
            c_out = gate_layer_norm(c, ln_c_scale, 1) + ln_c_bias
        h = jax.nn.sigmoid(o) * jnp.tanh(c_out)
        if w_hr is not None:
            h = dot(h, w_hr)
        return (h, c), h

    (h, c), ys = _scan(step, (h0, c0), xw, mask, unroll)
    return ys, (h, c)


# -- the plain LSTM, fused, with a hand-written backward pass --------------------------
# Forward: the input matmul stays inside the loop. It does not depend on h, so XLA's CPU
# runtime overlaps it with the serial h -> gates -> h chain of the previous step; on
# small, latency-bound shapes that beats one big hoisted GEMM in front of the loop.
# Backward: autodiff of a scan would accumulate dW with small outer products inside the
# reverse loop. Here the reverse loop only carries dh, dc (one small matmul per step)
# and emits the gate gradients; dW_ih, dW_hh, db and dx are then single big GEMMs over
# all T * B rows.


def _lstm_forward(x, w_ih, b, w_hh, h0, c0, mask, rec_mask, unroll, residuals):
    """residuals: "none" (outputs only), "hc" (h, c per step) or "all" (h, c and gates)."""

    def step(carry, inputs):
        h, c = carry
        x_t, m_t = inputs
        h_in = h if rec_mask is None else h * rec_mask
        pre = dot(x_t, w_ih) + dot(h_in, w_hh)
        if b is not None:
            pre = pre + b
        i, f, g, o = jnp.split(pre, 4, axis=-1)
        i, f, g, o = jax.nn.sigmoid(i), jax.nn.sigmoid(f), jnp.tanh(g), jax.nn.sigmoid(o)
        c_new = f * c + i * g
        h_new = o * jnp.tanh(c_new)
        if m_t is not None:
            h_new = jnp.where(m_t, h_new, h)
            c_new = jnp.where(m_t, c_new, c)
        if residuals == "none":
            out = h_new
        elif residuals == "hc":
            out = (h_new, c_new, None)
        else:
            out = (h_new, c_new, jnp.concatenate([i, f, g, o], -1))
        return (h_new, c_new), out

    if mask is None:
        return jax.lax.scan(lambda cr, xt: step(cr, (xt, None)), (h0, c0), x, unroll=unroll)
    return jax.lax.scan(step, (h0, c0), (x, mask), unroll=unroll)


def lstm_cell(
    x: Array, h: Array, c: Array, w_ih: Array, w_hh: Array, b: Array | None
) -> tuple[Array, Array]:
    """One LSTM step, for loops that need each step's output before the next (a decoder
    with input feeding): x: [batch, in], h: [batch, out], c: [batch, hidden] -> (h, c)."""
    pre = dot(x, w_ih) + dot(h, w_hh)
    if b is not None:
        pre = pre + b
    i, f, g, o = jnp.split(_gates(pre), 4, axis=-1)
    c = f * c + i * g
    return o * jnp.tanh(c), c


def _gates(pre: Array) -> Array:
    i, f, g, o = jnp.split(pre, 4, axis=-1)
    return jnp.concatenate(
        [jax.nn.sigmoid(i), jax.nn.sigmoid(f), jnp.tanh(g), jax.nn.sigmoid(o)], -1
    )


@partial(jax.custom_vjp, nondiff_argnums=(8, 9))
def lstm_fused(
    x: Array,
    w_ih: Array,
    b: Array | None,
    w_hh: Array,
    h0: Array,
    c0: Array,
    mask: Array | None,
    recurrent_mask: Array | None,
    unroll: int = 1,
    remat: bool = False,
) -> tuple[Array, tuple[Array, Array]]:
    """The plain LSTM (no layer norm, no projection) over raw inputs.

    Args:
      x: [T, B, F] in the compute dtype; w_ih: [F, 4H], w_hh: [H, 4H] in the compute
        dtype; b: float32[4H] or None; h0, c0: float32[B, H].
      mask: bool[T, B, 1] or None; recurrent_mask: float32[B, H] or None.
      remat: keep only h and c for the backward pass and recompute the gate activations
        there (two more small matmuls per step; the [T, B, 4H] residual is not stored).

    Returns:
      outputs float32[T, B, H] (zero where masked) and the final (h, c), float32[B, H].
    """
    del remat  # only changes what the backward pass keeps
    (h, c), hs = _lstm_forward(x, w_ih, b, w_hh, h0, c0, mask, recurrent_mask, unroll, "none")
    ys = hs if mask is None else jnp.where(mask, hs, 0.0)
    return ys, (h, c)


def _lstm_fused_fwd(x, w_ih, b, w_hh, h0, c0, mask, rec_mask, unroll, remat):
    kept = "hc" if remat else "all"
    (h, c), (hs, cs, acts) = _lstm_forward(x, w_ih, b, w_hh, h0, c0, mask, rec_mask, unroll, kept)
    ys = hs if mask is None else jnp.where(mask, hs, 0.0)
    return (ys, (h, c)), (x, w_ih, b, w_hh, h0, c0, mask, rec_mask, hs, cs, acts)


def _gemm_tn(a: Array, g: Array, dtype: Any) -> Array:
    """a: [T, B, M], g: [T, B, N] -> a^T g: [M, N] over all T * B rows, as ``dtype``."""
    t, bsz, m = a.shape
    out = jnp.dot(
        a.reshape(t * bsz, m).astype(dtype).T,
        g.reshape(t * bsz, -1).astype(dtype),
        preferred_element_type=jnp.float32,
    )
    return out.astype(dtype)


def _lstm_fused_bwd(unroll, remat, res, cts):
    x, w_ih, b, w_hh, h0, c0, mask, rec_mask, hs, cs, acts = res
    dys, (dh_T, dc_T) = cts
    if mask is not None:
        dys = jnp.where(mask, dys, 0.0)
    c_prev = jnp.concatenate([c0[None], cs[:-1]], 0)
    h_prev = jnp.concatenate([h0[None], hs[:-1]], 0)
    h_in = h_prev if rec_mask is None else h_prev * rec_mask
    w_t = w_hh.T

    def step(carry, inputs):
        dh, dc = carry
        dy_t, act_t, c_t, cp_t, m_t = inputs
        if remat:  # act_t is (x_t, h_in_t): recompute the gates
            pre = dot(act_t[0], w_ih) + dot(act_t[1], w_hh)
            act_t = _gates(pre if b is None else pre + b)
        i, f, g, o = jnp.split(act_t, 4, axis=-1)
        dh = dh + dy_t
        tc = jnp.tanh(c_t)
        dc_tot = dc + dh * o * (1.0 - tc * tc)
        dpre = jnp.concatenate(
            [
                dc_tot * g * i * (1.0 - i),
                dc_tot * cp_t * f * (1.0 - f),
                dc_tot * i * (1.0 - g * g),
                dh * tc * o * (1.0 - o),
            ],
            -1,
        )
        dh_in = dot(dpre, w_t)
        dh_prev = dh_in if rec_mask is None else dh_in * rec_mask
        dc_prev = dc_tot * f
        if m_t is not None:
            dpre = jnp.where(m_t, dpre, 0.0)
            dh_in = jnp.where(m_t, dh_in, 0.0)
            dh_prev = jnp.where(m_t, dh_prev, dh)
            dc_prev = jnp.where(m_t, dc_prev, dc)
        # dh_in is only needed for the dropout mask's gradient: emit it only then.
        return (dh_prev, dc_prev), (dpre, None if rec_mask is None else dh_in)

    xs = (dys, (x, h_in) if remat else acts, cs, c_prev)
    if mask is None:
        body = lambda cr, xt: step(cr, (*xt, None))
    else:
        body, xs = step, (*xs, mask)
    (dh0, dc0), (dpre, dh_in) = jax.lax.scan(body, (dh_T, dc_T), xs, reverse=True, unroll=unroll)
    dw_hh = _gemm_tn(h_in, dpre, w_hh.dtype)
    dw_ih = _gemm_tn(x, dpre, w_ih.dtype)
    dx = jnp.dot(dpre.astype(w_ih.dtype), w_ih.T, preferred_element_type=jnp.float32)
    db = None if b is None else dpre.sum((0, 1)).astype(b.dtype)
    d_rec = None if rec_mask is None else jnp.sum(h_prev * dh_in, axis=0)
    return dx.astype(x.dtype), dw_ih, db, dw_hh, dh0, dc0, None, d_rec


lstm_fused.defvjp(_lstm_fused_fwd, _lstm_fused_bwd)


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
        rec = dot(h_in, w_hh) + b_hh
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
        h = activation(xw_t + dot(h_in, w_hh))
        return h, h

    h, ys = _scan(step, h0, xw, mask, unroll)
    return ys, h
