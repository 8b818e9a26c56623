"""LSTM / GRU / SimpleRNN against a float64 NumPy reference, gradients, padding, dropout."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax.test_util import check_grads

from lstm_jax.errors import ConfigError, ShapeError
from lstm_jax.nn import GRU, LSTM, LSTMState, SimpleRNN
from tests.nn import reference as ref


def _np(p):
    return None if p is None else np.asarray(p[...], np.float64)


def reference_params(layer):
    """Our fused parameters -> per-gate float64 dicts, [layer][direction]."""
    H, D = layer.hidden_features, layer.num_directions
    out = []
    for k in range(layer.num_layers):
        dirs = []
        for d in range(D):
            cell = layer.cells[k * D + d]
            wi, wh = _np(cell.input_kernel), _np(cell.recurrent_kernel)
            b = _np(cell.bias)
            if isinstance(layer, LSTM):
                p = {}
                for j, g in enumerate("ifgo"):
                    p["W_x" + g] = wi[:, j * H : (j + 1) * H]
                    p["W_h" + g] = wh[:, j * H : (j + 1) * H]
                    p["b_" + g] = 0.0 if b is None else b[j * H : (j + 1) * H]
                if cell.proj_kernel is not None:
                    p["W_hr"] = _np(cell.proj_kernel)
                if cell.ln_input_scale is not None:
                    sx, sh = _np(cell.ln_input_scale), _np(cell.ln_recurrent_scale)
                    p["ln_x"] = {g: sx[j * H : (j + 1) * H] for j, g in enumerate("ifgo")}
                    p["ln_h"] = {g: sh[j * H : (j + 1) * H] for j, g in enumerate("ifgo")}
                    p["ln_c"] = (_np(cell.ln_cell_scale), _np(cell.ln_cell_bias))
            elif isinstance(layer, GRU):
                bh = _np(cell.recurrent_bias)
                p = {}
                for j, g in enumerate("rzn"):
                    p["W_x" + g] = wi[:, j * H : (j + 1) * H]
                    p["W_h" + g] = wh[:, j * H : (j + 1) * H]
                    p["b_x" + g] = b[j * H : (j + 1) * H]
                    p["b_h" + g] = bh[j * H : (j + 1) * H]
            else:
                p = {"W_x": wi, "W_h": wh, "b": b}
            dirs.append(p)
        out.append(dirs)
    return out


CELLS = {LSTM: ref.lstm_cell, GRU: ref.gru_cell, SimpleRNN: ref.rnn_cell}


def randomize(layer, seed=0, scale=0.5):
    """Non-trivial biases and LN parameters, so the test sees every parameter."""
    rng = np.random.default_rng(seed)
    for _path, p in nnx.iter_graph(layer):
        if isinstance(p, nnx.Param):
            p[...] = jnp.asarray(p[...] + scale * rng.standard_normal(p.shape), jnp.float32)


def reference_forward(layer, x, lengths, h0, c0):
    params = reference_params(layer)
    B, T, _ = x.shape
    outs = np.zeros((B, T, layer.out_features * layer.num_directions))
    hN = np.zeros(h0.shape)
    cN = None if c0 is None else np.zeros(c0.shape)
    for b in range(B):
        n = T if lengths is None else int(lengths[b])
        y, h, c = ref.run_stack(
            CELLS[type(layer)],
            params,
            np.asarray(x[b, :n], np.float64),
            np.asarray(h0[:, b], np.float64),
            None if c0 is None else np.asarray(c0[:, b], np.float64),
            layer.bidirectional,
        )
        outs[b, :n] = y
        hN[:, b] = h
        if c is not None:
            cN[:, b] = c
    return outs, hN, cN


CASES = [
    # cls, kwargs, batch, time, in, hidden
    (LSTM, dict(num_layers=1), 3, 5, 4, 6),
    (LSTM, dict(num_layers=2, bidirectional=True), 4, 7, 3, 5),
    (LSTM, dict(num_layers=3), 2, 4, 5, 3),
    (LSTM, dict(num_layers=2, bidirectional=True, proj_features=3), 3, 6, 4, 5),
    (LSTM, dict(num_layers=2, layer_norm=True, bidirectional=True), 3, 6, 4, 5),
    (LSTM, dict(use_bias=False), 2, 3, 2, 4),
    (GRU, dict(num_layers=2, bidirectional=True), 4, 6, 3, 5),
    (GRU, dict(num_layers=3), 2, 5, 4, 3),
    (SimpleRNN, dict(num_layers=2, bidirectional=True), 3, 6, 3, 4),
]


@pytest.mark.parametrize("with_lengths", [False, True])
@pytest.mark.parametrize("cls,kwargs,B,T,F,H", CASES)
def test_matches_numpy_reference(cls, kwargs, B, T, F, H, with_lengths):
    layer = cls(F, H, **kwargs, rngs=nnx.Rngs(1))
    if kwargs.get("use_bias", True):
        randomize(layer, seed=2, scale=0.3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((B, T, F)).astype(np.float32)
    lengths = rng.integers(0, T + 1, B) if with_lengths else None
    if with_lengths:
        lengths[0] = T  # one full-length sequence, one possibly empty
    n = layer.num_layers * layer.num_directions
    h0 = rng.standard_normal((n, B, layer.out_features)).astype(np.float32)
    c0 = rng.standard_normal((n, B, H)).astype(np.float32) if cls is LSTM else None
    init = LSTMState(h0, c0) if cls is LSTM else h0
    y, state = layer(x, lengths, init)
    ry, rh, rc = reference_forward(layer, x, lengths, h0, c0)
    np.testing.assert_allclose(np.asarray(y), ry, atol=1e-5, rtol=1e-5)
    h = state.h if cls is LSTM else state
    np.testing.assert_allclose(np.asarray(h), rh, atol=1e-5, rtol=1e-5)
    if cls is LSTM:
        np.testing.assert_allclose(np.asarray(state.c), rc, atol=1e-5, rtol=1e-5)


def test_forget_bias_default_and_override():
    layer = LSTM(2, 3, rngs=nnx.Rngs(0))
    np.testing.assert_array_equal(
        np.asarray(layer.cells[0].bias[...]), [0, 0, 0, 1, 1, 1] + [0] * 6
    )
    layer = LSTM(2, 3, forget_bias=None, rngs=nnx.Rngs(0))
    assert float(jnp.abs(layer.cells[0].bias[...]).sum()) == 0.0


def test_time_major_and_state_chaining():
    layer = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(0), (2, 9, 3))
    y, s = layer(x)
    y_tm, _s_tm = LSTM(3, 4, num_layers=2, time_major=True, rngs=nnx.Rngs(0))(x.swapaxes(0, 1))
    np.testing.assert_allclose(y, y_tm.swapaxes(0, 1), atol=1e-6)
    # Running in two halves, passing the final state back in, equals one run.
    y1, s1 = layer(x[:, :4])
    y2, s2 = layer(x[:, 4:], initial_state=s1)
    np.testing.assert_allclose(jnp.concatenate([y1, y2], 1), y, atol=1e-6)
    np.testing.assert_allclose(s2.c, s.c, atol=1e-6)
    y3, _ = layer(x[:, 4:], initial_state=(s1.h, s1.c))  # a plain tuple works too
    np.testing.assert_allclose(y3, y2, atol=0)


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_check_grads(cls):
    layer = cls(2, 3, num_layers=2, bidirectional=True, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(layer)
    x = jax.random.normal(jax.random.key(1), (2, 4, 2))
    lengths = jnp.array([4, 2])

    def f(params, x):
        y, _ = nnx.merge(graphdef, params)(x, lengths)
        return jnp.sum(jnp.sin(y))

    check_grads(f, (params, x), order=1, modes=("rev",), atol=2e-2, rtol=2e-2, eps=1e-2)


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_padded_batch_equals_one_by_one(cls):
    layer = cls(3, 4, num_layers=2, bidirectional=True, rngs=nnx.Rngs(0))
    randomize(layer, 1, 0.2)
    graphdef, params = nnx.split(layer)
    T, lengths = 6, [6, 3, 1]
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in lengths]
    x = np.zeros((3, T, 3), np.float32)
    for b, s in enumerate(seqs):
        x[b, : len(s)] = s
    w = rng.standard_normal((3, T, 8)).astype(np.float32)  # a loss that sees every step

    def loss(params, x, w, lengths):
        y, _ = nnx.merge(graphdef, params)(x, lengths)
        return jnp.sum(y * w), y

    (_, y), g = jax.value_and_grad(loss, has_aux=True)(params, x, w, jnp.array(lengths))
    assert np.all(np.asarray(y)[1, 3:] == 0) and np.all(np.asarray(y)[2, 1:] == 0)
    g_sum = None
    for b, s in enumerate(seqs):
        (_, yb), gb = jax.value_and_grad(loss, has_aux=True)(
            params, s[None], w[b : b + 1, : len(s)], None
        )
        np.testing.assert_allclose(y[b, : len(s)], yb[0], atol=1e-5)
        g_sum = gb if g_sum is None else jax.tree.map(jnp.add, g_sum, gb)
    for a, b in zip(jax.tree.leaves(g), jax.tree.leaves(g_sum), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-4)


DROPOUTS = dict(
    dropout=0.3, input_dropout=0.3, recurrent_dropout=0.3, output_dropout=0.3, weight_drop=0.3
)


def test_dropout_off_when_deterministic():
    x = jax.random.normal(jax.random.key(0), (2, 5, 3))
    plain = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(0))
    drop = LSTM(3, 4, num_layers=2, **DROPOUTS, rngs=nnx.Rngs(0))
    y_train, _ = drop(x)
    assert not np.allclose(y_train, plain(x)[0])
    drop.eval()
    np.testing.assert_array_equal(drop(x)[0], plain(x)[0])
    drop.train()
    np.testing.assert_array_equal(drop(x, deterministic=True)[0], plain(x)[0])


def test_dropout_repeatable_by_seed():
    x = jax.random.normal(jax.random.key(0), (2, 5, 3))
    a = LSTM(3, 4, num_layers=2, **DROPOUTS, rngs=nnx.Rngs(params=0, dropout=7))
    b = LSTM(3, 4, num_layers=2, **DROPOUTS, rngs=nnx.Rngs(params=0, dropout=7))
    c = LSTM(3, 4, num_layers=2, **DROPOUTS, rngs=nnx.Rngs(params=0, dropout=8))
    ya, yb, yc = a(x)[0], b(x)[0], c(x)[0]
    np.testing.assert_array_equal(ya, yb)
    assert not np.allclose(ya, yc)
    assert not np.allclose(ya, a(x)[0])  # a fresh mask on the next call


@pytest.mark.parametrize("which", ["input_dropout", "output_dropout"])
def test_variational_masks_constant_across_time(which):
    # No recurrence and a constant input: every step's output is the same unless a mask
    # changes over time.
    layer = SimpleRNN(4, 8, **{which: 0.5}, rngs=nnx.Rngs(0))
    randomize(layer, 0, 0.3)
    layer.cells[0].recurrent_kernel[...] = jnp.zeros_like(layer.cells[0].recurrent_kernel[...])
    x = jnp.ones((3, 10, 4))
    y, _ = layer(x)
    base, _ = layer(x, deterministic=True)
    assert not np.allclose(y, base), "dropout must change something"
    np.testing.assert_array_equal(y, jnp.broadcast_to(y[:, :1], y.shape))


def test_recurrent_dropout_mask_constant_across_time():
    """With h fed back through an identity-like kernel, a locked mask zeroes the same units."""
    layer = SimpleRNN(2, 6, recurrent_dropout=0.5, rngs=nnx.Rngs(0))
    captured = []
    from lstm_jax.nn import kernels

    orig = kernels.rnn_scan

    def spy(*args, **kw):
        captured.append(kw["recurrent_mask"])
        return orig(*args, **kw)

    kernels.rnn_scan = spy
    try:
        layer(jnp.ones((3, 5, 2)))
    finally:
        kernels.rnn_scan = orig
    (m,) = captured
    assert m.shape == (3, 6)  # one mask per sequence, no time axis
    assert set(np.unique(np.asarray(m)).tolist()) <= {0.0, 2.0}


def test_bfloat16_compute():
    x = jax.random.normal(jax.random.key(0), (4, 8, 16))
    f32 = LSTM(16, 32, num_layers=2, rngs=nnx.Rngs(0))
    bf16 = LSTM(16, 32, num_layers=2, dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
    y32, _s32 = f32(x)
    y16, s16 = bf16(x)
    assert y16.dtype == jnp.bfloat16 and s16.c.dtype == jnp.float32
    assert bf16.cells[0].input_kernel[...].dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(y16, np.float32), y32, atol=5e-2)


def test_jit_and_lengths_under_jit():
    layer = GRU(3, 4, bidirectional=True, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(0), (2, 5, 3))
    lengths = jnp.array([5, 2])
    eager = layer(x, lengths)[0]
    jitted = nnx.jit(lambda m, x, n: m(x, n)[0])(layer, x, lengths)
    np.testing.assert_allclose(eager, jitted, atol=1e-6)
    # lengths closed over by a jitted function: concrete, still checked, no tracer error
    closed = nnx.jit(lambda m, x: m(x, lengths)[0])(layer, x)
    np.testing.assert_allclose(eager, closed, atol=1e-6)
    too_long = jnp.array([6, 2])
    with pytest.raises(ShapeError, match="<= the time axis"):
        nnx.jit(lambda m, x: m(x, too_long)[0])(layer, x)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda m: m(jnp.ones((5, 3))), "rank 3"),
        (lambda m: m(jnp.ones((2, 5, 4))), "in_features=3"),
        (lambda m: m(jnp.ones((2, 5, 3)), jnp.array([1, 2, 3])), r"shape \(batch,\)"),
        (lambda m: m(jnp.ones((2, 5, 3)), jnp.array([-1, 2])), ">= 0"),
        (lambda m: m(jnp.ones((2, 5, 3)), jnp.array([6, 2])), "<= the time axis"),
        (lambda m: m(jnp.ones((2, 5, 3)), jnp.array([1.0, 2.0])), "integers"),
        (lambda m: m(jnp.ones((2, 5, 3)), None, jnp.zeros((1, 2, 4))), "LSTMState"),
        (
            lambda m: m(jnp.ones((2, 5, 3)), None, (jnp.zeros((1, 2, 4)), jnp.zeros((2, 2, 4)))),
            r"initial_state.c must have shape \(1, 2, 4\)",
        ),
    ],
)
def test_bad_input_one_line_errors(call, match):
    layer = LSTM(3, 4, rngs=nnx.Rngs(0))
    with pytest.raises(ShapeError, match=match) as e:
        call(layer)
    assert "\n" not in str(e.value)


def test_bad_gru_state_and_config():
    with pytest.raises(ShapeError, match="array of shape"):
        GRU(3, 4, rngs=nnx.Rngs(0))(jnp.ones((2, 5, 3)), None, jnp.zeros((2, 2, 4)))
    with pytest.raises(ConfigError, match="hidden_features must be a positive int"):
        LSTM(3, 0, rngs=nnx.Rngs(0))
    with pytest.raises(ConfigError, match=r"dropout must be in \[0, 1\)"):
        LSTM(3, 4, dropout=1.0, rngs=nnx.Rngs(0))
    with pytest.raises(ConfigError, match="proj_features"):
        LSTM(3, 4, proj_features=4, rngs=nnx.Rngs(0))
    with pytest.raises(ConfigError, match="activation"):
        SimpleRNN(3, 4, activation="sigmoid", rngs=nnx.Rngs(0))
