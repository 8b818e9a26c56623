"""PyTorch interop: our layers equal torch.nn.LSTM / GRU / RNN, both directions of conversion."""

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lstm_jax.errors import CheckpointError
from lstm_jax.interop import torch as tinterop
from lstm_jax.nn import GRU, LSTM, LSTMState, SimpleRNN

torch = pytest.importorskip("torch")

KINDS = {
    "lstm": (LSTM, torch.nn.LSTM, tinterop.load_lstm_state_dict, tinterop.lstm_state_dict),
    "gru": (GRU, torch.nn.GRU, tinterop.load_gru_state_dict, tinterop.gru_state_dict),
    "rnn": (SimpleRNN, torch.nn.RNN, tinterop.load_rnn_state_dict, tinterop.rnn_state_dict),
}


def torch_run(module, x, lengths):
    """Runs a torch RNN on packed sequences; returns padded outputs [B, T, *] and h_n (and c_n)."""
    xt = torch.from_numpy(x)
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        xt, torch.tensor(lengths), batch_first=True, enforce_sorted=False
    )
    with torch.no_grad():
        out, state = module(packed)
    y, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    state = tuple(s.numpy() for s in state) if isinstance(state, tuple) else (state.numpy(),)
    return y.numpy(), state


CASES = [
    ("lstm", dict(num_layers=2, bidirectional=True)),
    ("lstm", dict(num_layers=2, bidirectional=True, bias=False)),
    ("lstm", dict(num_layers=2, bidirectional=True, proj_size=3)),
    ("gru", dict(num_layers=2, bidirectional=True)),
    ("gru", dict(num_layers=1)),
    ("rnn", dict(num_layers=2, bidirectional=True)),
]


def ours_kwargs(kw):
    out = dict(num_layers=kw.get("num_layers", 1), bidirectional=kw.get("bidirectional", False))
    out["use_bias"] = kw.get("bias", True)
    if kw.get("proj_size"):
        out["proj_features"] = kw["proj_size"]
    return out


@pytest.mark.parametrize("kind,kw", CASES)
def test_torch_to_ours(kind, kw):
    ours_cls, torch_cls, load, _ = KINDS[kind]
    torch.manual_seed(0)
    t = torch_cls(4, 5, batch_first=True, **kw)
    layer = ours_cls(4, 5, **ours_kwargs(kw), rngs=nnx.Rngs(0))
    load(layer, t.state_dict())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7, 4)).astype(np.float32)
    lengths = [7, 3, 5, 1]
    ty, tstate = torch_run(t, x, lengths)
    y, state = layer(jnp.asarray(x), jnp.asarray(lengths))
    np.testing.assert_allclose(np.asarray(y), ty, atol=1e-5)
    ours_state = (state.h, state.c) if kind == "lstm" else (state,)
    for a, b in zip(ours_state, tstate, strict=True):
        np.testing.assert_allclose(np.asarray(a), b, atol=1e-5)


@pytest.mark.parametrize("kind,kw", CASES)
def test_ours_to_torch(kind, kw):
    ours_cls, torch_cls, _, export = KINDS[kind]
    layer = ours_cls(4, 5, **ours_kwargs(kw), rngs=nnx.Rngs(3))
    for _, p in nnx.iter_graph(layer):  # non-zero biases, so their placement is checked
        if isinstance(p, nnx.Param) and p[...].ndim == 1:
            p[...] = p[...] + 0.3
    t = torch_cls(4, 5, batch_first=True, **kw)
    t.load_state_dict(export(layer))  # strict: every key present, none extra
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 6, 4)).astype(np.float32)
    lengths = [6, 2, 4]
    n = layer.num_layers * layer.num_directions
    h0 = rng.standard_normal((n, 3, layer.out_features)).astype(np.float32)
    c0 = rng.standard_normal((n, 3, 5)).astype(np.float32)
    init = LSTMState(h0, c0) if kind == "lstm" else h0
    y, _ = layer(jnp.asarray(x), jnp.asarray(lengths), init)
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        torch.from_numpy(x), torch.tensor(lengths), batch_first=True, enforce_sorted=False
    )
    tinit = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "lstm" else torch.from_numpy(h0)
    with torch.no_grad():
        out, _ = t(packed, tinit)
    ty, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=6)
    np.testing.assert_allclose(np.asarray(y), ty.numpy(), atol=1e-5)


def test_numpy_values_and_files(tmp_path):
    t = torch.nn.LSTM(3, 4, num_layers=2)
    sd_np = {k: v.detach().numpy() for k, v in t.state_dict().items()}
    a = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(0))
    tinterop.load_lstm_state_dict(a, sd_np)
    path = tmp_path / "lstm.pt"
    torch.save(t.state_dict(), path)
    b = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(1))
    tinterop.load_lstm_state_dict(b, path)
    from safetensors.numpy import save_file

    save_file(sd_np, str(tmp_path / "lstm.safetensors"))
    c = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(2))
    tinterop.load_lstm_state_dict(c, tmp_path / "lstm.safetensors")
    x = jnp.ones((2, 3, 3))
    np.testing.assert_array_equal(a(x)[0], b(x)[0])
    np.testing.assert_array_equal(a(x)[0], c(x)[0])


def test_file_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    torch.save({"weight_ih_l0": Evil()}, path)
    with pytest.raises(CheckpointError, match="weights-only"):
        tinterop.load_lstm_state_dict(LSTM(3, 4, rngs=nnx.Rngs(0)), path)


def test_state_dict_errors(tmp_path):
    layer = LSTM(3, 4, num_layers=2, rngs=nnx.Rngs(0))
    sd = torch.nn.LSTM(3, 4, num_layers=2).state_dict()
    missing = {k: v for k, v in sd.items() if k != "bias_hh_l1"}
    with pytest.raises(CheckpointError, match="missing key 'bias_hh_l1'"):
        tinterop.load_lstm_state_dict(layer, missing)
    extra = dict(sd, weight_ih_l2=sd["weight_ih_l1"])
    with pytest.raises(CheckpointError, match="unexpected key 'weight_ih_l2'"):
        tinterop.load_lstm_state_dict(layer, extra)
    wrong = dict(sd, weight_hh_l0=torch.zeros(16, 5))
    with pytest.raises(CheckpointError, match=r"'weight_hh_l0' has shape \(16, 5\).*\(16, 4\)"):
        tinterop.load_lstm_state_dict(layer, wrong)
    with pytest.raises(CheckpointError, match="not found"):
        tinterop.load_lstm_state_dict(layer, tmp_path / "nope.pt")
    with pytest.raises(CheckpointError, match="expected an lstm_jax GRU"):
        tinterop.load_gru_state_dict(layer, sd)
    with pytest.raises(CheckpointError, match="layer normalisation"):
        tinterop.lstm_state_dict(LSTM(3, 4, layer_norm=True, rngs=nnx.Rngs(0)))
