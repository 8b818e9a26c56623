"""The hand-written LSTM backward pass equals autodiff of the same recurrence."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from lstm_jax.nn import kernels


def autodiff_lstm(x, w_ih, b, w_hh, h0, c0, mask, rec_mask):
    def step(carry, inputs):
        (h, c), (x_t, m_t) = carry, inputs
        i, f, g, o = jnp.split(x_t @ w_ih + b + (h * rec_mask) @ w_hh, 4, axis=-1)
        c_new = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h_new = jax.nn.sigmoid(o) * jnp.tanh(c_new)
        h_new, c_new = jnp.where(m_t, h_new, h), jnp.where(m_t, c_new, c)
        return (h_new, c_new), jnp.where(m_t, h_new, 0.0)

    (h, c), ys = jax.lax.scan(step, (h0, c0), (x, mask))
    return ys, (h, c)


@pytest.mark.parametrize("remat", [False, True])
@pytest.mark.parametrize("with_mask", [False, True])
def test_fused_backward_matches_autodiff(with_mask, remat):
    T, B, F, H = 6, 3, 5, 4
    ks = jax.random.split(jax.random.key(0), 9)
    x = jax.random.normal(ks[0], (T, B, F))
    w_ih = 0.5 * jax.random.normal(ks[7], (F, 4 * H))
    b = jax.random.normal(ks[8], (4 * H,))
    w_hh = 0.5 * jax.random.normal(ks[1], (H, 4 * H))
    h0, c0 = jax.random.normal(ks[2], (B, H)), jax.random.normal(ks[3], (B, H))
    rec_mask = jax.random.bernoulli(ks[4], 0.7, (B, H)) / 0.7
    lengths = jnp.array([6, 2, 0]) if with_mask else jnp.array([T] * B)
    mask = kernels.time_mask(lengths, T)
    wy = jax.random.normal(ks[5], (T, B, H))
    wh, wc = jax.random.normal(ks[6], (2, B, H))

    def loss(fn, *args):
        ys, (h, c) = fn(*args)
        return jnp.sum(ys * wy) + jnp.sum(h * wh) + jnp.sum(jnp.sin(c) * wc)

    def fused(*args):
        return kernels.lstm_fused(*args[:6], mask if with_mask else None, args[6], 1, remat)

    def ref(*args):
        return autodiff_lstm(*args[:6], mask, args[6])

    args = (x, w_ih, b, w_hh, h0, c0, rec_mask)
    names = ["x", "w_ih", "b", "w_hh", "h0", "c0", "rec_mask"]
    np.testing.assert_allclose(loss(fused, *args), loss(ref, *args), rtol=1e-6)
    g1 = jax.grad(lambda *a: loss(fused, *a), argnums=range(7))(*args)
    g2 = jax.grad(lambda *a: loss(ref, *a), argnums=range(7))(*args)
    for name, a, b in zip(names, g1, g2, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5, err_msg=name)
