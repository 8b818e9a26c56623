"""SpeechRecognizer: shapes and output lengths with frame stacking, padding never changes
a transcript, one optimizer step changes every parameter."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.models.speech import SpeechRecognizer


def make(**kw):
    kw = {"stack": 3, "dropout": 0.1, **kw}
    return SpeechRecognizer(6, 5, 8, 2, rngs=nnx.Rngs(0), **kw)


def test_shapes_and_stacked_lengths():
    model = make()
    logits, n = model(jnp.ones((2, 10, 6)), jnp.array([10, 4]))
    assert logits.shape == (2, 4, 5) and logits.dtype == jnp.float32
    np.testing.assert_array_equal(n, [4, 2])  # ceil(length / 3)


def test_padding_never_changes_the_posteriors():
    model = make(freq_masks=2, freq_width=3, time_masks=2, time_width=3)
    model.eval()
    x = jax.random.normal(jax.random.key(0), (1, 7, 6))
    alone, n = model(x, jnp.array([7]))
    wide = jnp.zeros((3, 19, 6)).at[:, :7].set(x[0])
    wide = wide.at[1, 7:].set(5.0)  # garbage past the length must not leak in either
    # (a stacked step that straddles the end sees zeros in a padded batch, as alone)
    wide = wide.at[1, 7:9].set(0.0)
    batch, m = model(wide, jnp.array([7, 7, 7]))
    for row in range(3):
        np.testing.assert_allclose(batch[row, : int(n[0])], alone[0], atol=1e-5)
    assert int(m[0]) == int(n[0]) == 3


def test_one_step_changes_every_parameter():
    model = make(freq_masks=1, freq_width=2, time_masks=1, time_width=2)
    x = jax.random.normal(jax.random.key(1), (4, 12, 6))
    lengths = jnp.array([12, 9, 6, 12])
    labels = jnp.array([[1, 2, 0], [3, 0, 0], [4, 4, 0], [2, 1, 3]])
    label_pad = (labels == 0).astype(jnp.float32)
    before = jax.tree.map(np.array, nnx.state(model, nnx.Param))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

    def loss(m):
        logits, n = m(x, lengths)
        pad = (jnp.arange(logits.shape[1])[None] >= n[:, None]).astype(jnp.float32)
        return optax.ctc_loss(logits, pad, labels, label_pad).mean()

    optimizer.update(model, nnx.jit(nnx.grad(loss))(model))
    after = nnx.state(model, nnx.Param)
    for (path, a), b in zip(
        jax.tree_util.tree_leaves_with_path(before), jax.tree.leaves(after), strict=True
    ):
        assert not np.allclose(a, b), f"{jax.tree_util.keystr(path)} did not change"
