"""Seq2Seq: teacher forcing equals stepping the decoder, source padding is invisible,
one optimizer step changes every parameter."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.models.seq2seq import Seq2Seq


def make(attention="general", **kw):
    kw = {"encoder_layers": 2, "decoder_layers": 2, **kw}
    return Seq2Seq(20, 15, 8, 8, attention=attention, rngs=nnx.Rngs(0), **kw)


@pytest.mark.parametrize("attention", ["dot", "general", "additive"])
def test_teacher_forcing_equals_stepping(attention):
    model = make(attention)
    model.eval()
    src = jax.random.randint(jax.random.key(0), (3, 7), 0, 20)
    lengths = jnp.array([7, 4, 2])
    tgt = jax.random.randint(jax.random.key(1), (3, 5), 0, 15)
    logits, weights = model(src, lengths, tgt)
    assert logits.shape == (3, 5, 15) and weights.shape == (3, 5, 7)
    memory, state = model.encode(src, lengths)
    for t in range(5):
        out, state, w = model.step(model.tgt_embed(tgt[:, t]), state, memory)
        np.testing.assert_allclose(model.logits(out), logits[:, t], atol=1e-5)
        np.testing.assert_allclose(w, weights[:, t], atol=1e-6)
    assert np.all(np.asarray(weights[2, :, 2:]) == 0.0)  # source padding: weight 0


def test_source_padding_changes_nothing():
    model = make(tie=True)
    model.eval()
    src = jnp.array([[3, 4, 5, 6]])
    tgt = jnp.array([[1, 2, 3]])
    ref, _ = model(src, jnp.array([4]), tgt)
    padded = jnp.concatenate([src, jnp.full((1, 5), 9)], 1)  # padding with a real word id
    out, _ = model(padded, jnp.array([4]), tgt)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_one_step_changes_every_parameter():
    model = make("additive", dropout=0.2)
    src = jax.random.randint(jax.random.key(0), (4, 6), 0, 20)
    lengths = jnp.array([6, 5, 3, 1])
    tgt = jax.random.randint(jax.random.key(1), (4, 5), 0, 15)
    before = jax.tree.map(np.array, nnx.state(model, nnx.Param))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

    def loss(m):
        logits, _ = m(src, lengths, tgt)
        return optax.softmax_cross_entropy_with_integer_labels(logits, tgt).mean()

    optimizer.update(model, nnx.jit(nnx.grad(loss))(model))  # eager decoding is slow
    after = nnx.state(model, nnx.Param)
    for (path, a), b in zip(
        jax.tree_util.tree_leaves_with_path(before), jax.tree.leaves(after), strict=True
    ):
        assert not np.allclose(a, b), f"{jax.tree_util.keystr(path)} did not change"


def test_tie_needs_equal_sizes():
    with pytest.raises(ConfigError, match=r"model.tie needs model.embed == model.hidden_features"):
        Seq2Seq(20, 15, 8, 16, tie=True, rngs=nnx.Rngs(0))
