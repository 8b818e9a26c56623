"""TextClassifier: shapes, padding invariance for every pooling, one step trains all."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from lstm_jax.errors import ConfigError, ShapeError
from lstm_jax.models.classifier import TextClassifier
from lstm_jax.nn.pooling import POOLINGS, AttentionPool


def make(pooling="max", **kw):
    kw = {"num_layers": 2, "bidirectional": True, "mlp": (12,), **kw}
    return TextClassifier(30, 3, 8, 10, pooling=pooling, rngs=nnx.Rngs(0), **kw)


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [True, False])
def test_padding_never_changes_the_logits(pooling, bidirectional):
    model = make(pooling, bidirectional=bidirectional, num_layers=1)
    model.eval()
    sentence = jnp.array([4, 9, 2, 17, 5])
    outs = []
    for width in (5, 16):
        tokens = jnp.zeros((2, width), jnp.int32).at[:, :5].set(sentence)
        tokens = tokens.at[1, 5:].set(7)  # padding holding real word ids must not leak either
        logits = model(tokens, jnp.array([5, 5]))
        assert logits.shape == (2, 3)
        outs.append(logits)
    for o in outs:
        np.testing.assert_allclose(o, outs[0][:1].repeat(2, 0), atol=1e-5)


def test_attention_gives_padding_zero_weight():
    pool = AttentionPool(6, 4, rngs=nnx.Rngs(0))
    h = jax.random.normal(jax.random.key(0), (2, 7, 6))
    _, w = pool(h, jnp.array([3, 7]))
    assert np.all(np.asarray(w[0, 3:]) == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)


def test_attention_weights_are_the_pooling_the_model_uses():
    model = make("attention", mlp=())
    model.eval()
    tokens, lengths = jnp.array([[4, 9, 2, 0], [5, 6, 7, 8]]), jnp.array([3, 4])
    w = model.attention_weights(tokens, lengths)
    assert w.shape == (2, 4) and float(w[0, 3]) == 0.0
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)
    h, _ = model.rnn(jnp.take(model.embed.embedding[...], tokens, axis=0), lengths)
    np.testing.assert_allclose(
        model.out(jnp.einsum("bt,btf->bf", w, h)), model(tokens, lengths), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(ConfigError, match="needs pooling='attention'"):
        make("max").attention_weights(tokens, lengths)


def test_one_step_changes_every_parameter():
    model = make("attention", word_dropout=0.1, embed_dropout=0.1, dropout=0.2)
    tokens = jax.random.randint(jax.random.key(1), (6, 9), 0, 30)
    lengths, labels = jnp.array([9, 3, 5, 1, 9, 7]), jnp.array([0, 1, 2, 0, 1, 2])
    before = jax.tree.map(np.array, nnx.state(model, nnx.Param))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

    def loss(m):
        logits = m(tokens, lengths)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    optimizer.update(model, nnx.jit(nnx.grad(loss))(model))  # eager is slower
    after = nnx.state(model, nnx.Param)
    for (path, a), b in zip(
        jax.tree_util.tree_leaves_with_path(before), jax.tree.leaves(after), strict=True
    ):
        assert not np.allclose(a, b), f"{jax.tree_util.keystr(path)} did not change"


def test_pretrained_embedding_and_bad_options():
    table = np.arange(30 * 8, dtype=np.float32).reshape(30, 8)
    model = make(embedding=table)
    np.testing.assert_array_equal(model.embed.embedding[...], table)
    with pytest.raises(ShapeError, match="pretrained embedding has shape"):
        make(embedding=table[:, :4])
    with pytest.raises(ConfigError, match=r"unknown model.pooling 'sum'"):
        make("sum")
