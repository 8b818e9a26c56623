"""The cuDNN backend, checked on CPU: our scan layer against ``jax.experimental.rnn.lstm_ref``
(cuDNN's function in plain JAX) with weights converted both ways, and the whole
``backend="cudnn"`` path with lstm_ref standing in for the GPU kernel."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax.experimental import rnn

from lstm_jax.errors import ConfigError
from lstm_jax.nn import LSTM, cudnn

B, T, F, H = 3, 5, 4, 6
X = jax.random.normal(jax.random.key(0), (B, T, F))
LENGTHS = jnp.array([5, 3, 1], jnp.int32)


def cells(layer):
    return [(c.input_kernel[...], c.recurrent_kernel[...], c.bias[...]) for c in layer.cells]


def state(layers, d, key=1):
    k1, k2 = jax.random.split(jax.random.key(key))
    return (jax.random.normal(k1, (layers * d, B, H)), jax.random.normal(k2, (layers * d, B, H)))


@pytest.mark.parametrize("layers,bidir", [(1, False), (2, False), (2, True)])
def test_pack_matches_jax_layout_and_round_trips(layers, bidir):
    layer = LSTM(F, H, num_layers=layers, bidirectional=bidir, backend="scan", rngs=nnx.Rngs(0))
    flat = cudnn.pack(cells(layer))
    assert flat.shape == (rnn.get_num_params_in_lstm(F, H, layers, bidir),)
    for (a, b, c), (x, y, z) in zip(
        cells(layer), cudnn.unpack(flat, F, H, layers, bidir), strict=True
    ):
        np.testing.assert_array_equal(a, x)
        np.testing.assert_array_equal(b, y)
        np.testing.assert_array_equal(c, z)


@pytest.mark.parametrize("layers,bidir", [(2, False), (2, True)])
def test_scan_layer_equals_lstm_ref(layers, bidir):
    """Outputs, final states and gradients (inputs, states, every weight)."""
    d = 2 if bidir else 1
    layer = LSTM(F, H, num_layers=layers, bidirectional=bidir, backend="scan", rngs=nnx.Rngs(0))
    h0, c0 = state(layers, d)
    graphdef, params = nnx.split(layer)
    flat = cudnn.pack(cells(layer))
    ct = jax.random.normal(jax.random.key(2), (B, T, d * H))

    def ours(params, x, h0, c0):
        y, s = nnx.merge(graphdef, params)(x, LENGTHS, (h0, c0))
        return jnp.sum(y * ct) + jnp.sum(s.h * s.c), (y, s.h, s.c)

    def ref(flat, x, h0, c0):
        y, hn, cn = cudnn.reference(x, h0, c0, flat, LENGTHS, F, H, layers, bidir)
        return jnp.sum(y * ct) + jnp.sum(hn * cn), (y, hn, cn)

    (_, out_o), g_o = jax.jit(jax.value_and_grad(ours, (0, 1, 2, 3), has_aux=True))(
        params, X, h0, c0
    )
    (_, out_r), g_r = jax.jit(jax.value_and_grad(ref, (0, 1, 2, 3), has_aux=True))(flat, X, h0, c0)
    for a, b in zip(out_o, out_r, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    for a, b in zip(g_o[1:], g_r[1:], strict=True):  # inputs and initial states
        np.testing.assert_allclose(a, b, atol=1e-5)
    grads = nnx.merge(graphdef, g_o[0])
    w_ih, w_hh, b_ih, b_hh = rnn.unpack_lstm_weights(g_r[0], F, H, layers, bidir)
    for i, c in enumerate(grads.cells):
        np.testing.assert_allclose(c.input_kernel[...], w_ih[i].T, atol=1e-5)
        np.testing.assert_allclose(c.recurrent_kernel[...], w_hh[i].T, atol=1e-5)
        np.testing.assert_allclose(c.bias[...], b_ih[i], atol=1e-5)  # our one bias
        np.testing.assert_allclose(c.bias[...], b_hh[i], atol=1e-5)


def test_cudnn_weights_load_into_our_layer():
    flat = rnn.init_lstm_weight(jax.random.key(3), F, H, 2, True)
    layer = LSTM(F, H, num_layers=2, bidirectional=True, backend="scan", rngs=nnx.Rngs(0))
    for c, (a, b, bias) in zip(layer.cells, cudnn.unpack(flat, F, H, 2, True), strict=True):
        c.input_kernel[...], c.recurrent_kernel[...], c.bias[...] = a, b, bias
    h0, c0 = state(2, 2)
    y, s = layer(X, LENGTHS, (h0, c0))
    y_ref, hn, cn = cudnn.reference(X, h0, c0, flat, LENGTHS, F, H, 2, True)
    np.testing.assert_allclose(y, y_ref, atol=1e-5)
    np.testing.assert_allclose(s.h, hn, atol=1e-5)
    np.testing.assert_allclose(s.c, cn, atol=1e-5)


@pytest.fixture
def fake_gpu(monkeypatch):
    """The cuDNN path on CPU: lstm_ref answers for the GPU kernel."""
    monkeypatch.setattr(cudnn, "gpu_available", lambda: True)
    monkeypatch.setitem(cudnn.KERNEL, "lstm", cudnn.reference)


@pytest.mark.parametrize("bidir", [False, True])
def test_cudnn_backend_equals_scan_in_training(fake_gpu, bidir):
    """Dropout between layers, on the input and output, and weight drop: the same masks
    on both backends (same seed), so the same outputs, states and gradients."""
    kw = dict(
        num_layers=2,
        bidirectional=bidir,
        dropout=0.3,
        input_dropout=0.2,
        output_dropout=0.1,
        weight_drop=0.25,
    )
    scan = LSTM(F, H, backend="scan", **kw, rngs=nnx.Rngs(0))
    fast = LSTM(F, H, backend="auto", **kw, rngs=nnx.Rngs(0))
    assert fast.backend == "cudnn"

    def loss(layer):
        y, s = layer(X, LENGTHS)
        return jnp.sum(y**2) + jnp.sum(s.c), (y, s)

    step = nnx.jit(nnx.value_and_grad(loss, has_aux=True))
    (_, (y1, s1)), g1 = step(scan)
    (_, (y2, s2)), g2 = step(fast)
    np.testing.assert_allclose(y1, y2, atol=1e-5)
    np.testing.assert_allclose(s1.h, s2.h, atol=1e-5)
    np.testing.assert_allclose(s1.c, s2.c, atol=1e-5)
    for a, b in zip(jax.tree.leaves(g1), jax.tree.leaves(g2), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert not np.allclose(y1, scan(X, LENGTHS, deterministic=True)[0])  # dropout was on


def test_auto_falls_back_with_one_line(fake_gpu, capsys):
    layer = LSTM(F, H, layer_norm=True, backend="auto", rngs=nnx.Rngs(0))
    assert layer.backend == "scan"
    LSTM(F, H, layer_norm=True, backend="auto", rngs=nnx.Rngs(1))
    out = capsys.readouterr().out
    assert out.count("layer_norm=True") == 1 and len(out.strip().splitlines()) == 1
    assert LSTM(F, H, dtype=jnp.bfloat16, rngs=nnx.Rngs(0)).backend == "scan"
    assert LSTM(F, H, proj_features=3, rngs=nnx.Rngs(0)).backend == "scan"
    assert LSTM(F, H, recurrent_dropout=0.1, rngs=nnx.Rngs(0)).backend == "scan"


def test_explicit_cudnn_errors():
    with pytest.raises(ConfigError, match="needs a CUDA GPU and jax runs on 'cpu'"):
        LSTM(F, H, backend="cudnn", rngs=nnx.Rngs(0))
    with pytest.raises(ConfigError, match="unknown backend 'cuda'"):
        LSTM(F, H, backend="cuda", rngs=nnx.Rngs(0))
    assert LSTM(F, H, rngs=nnx.Rngs(0)).backend == "scan"  # auto on CPU: ours, silently
