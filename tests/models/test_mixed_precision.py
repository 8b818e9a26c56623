"""dtype=bfloat16 in every task model: the same parameters (float32) give float32 outputs
within bfloat16's rounding of the float32 model's, and float32 gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lstm_jax.models.classifier import TextClassifier
from lstm_jax.models.forecaster import Forecaster
from lstm_jax.models.language_model import LanguageModel
from lstm_jax.models.seq2seq import Seq2Seq
from lstm_jax.models.sequence import SequenceRegressor, SequenceTagger
from lstm_jax.models.tagger import Tagger

K = jax.random.split(jax.random.key(0), 4)
TOKENS = jax.random.randint(K[0], (3, 6), 0, 20)
LENGTHS = jnp.array([6, 4, 2])

# name -> (constructor taking dtype and rngs, the call on fixed inputs)
MODELS = {
    "lm": (
        lambda **kw: LanguageModel(20, 8, 12, 2, **kw),
        lambda m: m(TOKENS, m.zero_state(3))[0],
    ),
    "lm_gru": (
        lambda **kw: LanguageModel(20, 8, 12, 1, cell="gru", **kw),
        lambda m: m(TOKENS, m.zero_state(3))[0],
    ),
    "classify": (
        lambda **kw: TextClassifier(20, 3, 8, 10, mlp=(6,), **kw),
        lambda m: m(TOKENS, LENGTHS),
    ),
    "tag": (
        lambda **kw: Tagger(20, 12, 5, 8, 10, char_embed=4, char_hidden=4, **kw),
        lambda m: m(TOKENS, jnp.ones((3, 6, 4), jnp.int32), jnp.full((3, 6), 4), LENGTHS),
    ),
    "translate": (
        lambda **kw: Seq2Seq(20, 15, 8, 8, **kw),
        lambda m: m(TOKENS, LENGTHS, TOKENS[:, :4] % 15)[0],
    ),
    "forecast": (
        lambda **kw: Forecaster(3, 1, 4, 8, decoder="autoregressive", **kw),
        lambda m: m(jax.random.normal(K[1], (3, 10, 3))),
    ),
    "adding": (
        lambda **kw: SequenceRegressor("lstm", 2, 8, 1, **kw),
        lambda m: m(jax.random.normal(K[2], (3, 10, 2))),
    ),
    "copy": (
        lambda **kw: SequenceTagger("lstm", 5, 8, 1, 5, **kw),
        lambda m: m(TOKENS % 5),
    ),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_bfloat16_matches_float32(name):
    make, call = MODELS[name]
    ref = make(rngs=nnx.Rngs(0))
    low = make(dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
    for m in (ref, low):
        m.eval()
    params = nnx.state(low, nnx.Param)
    assert all(p.dtype == jnp.float32 for p in jax.tree.leaves(params))
    want, got = (nnx.jit(call)(m) for m in (ref, low))  # eager scans would take minutes
    assert got.dtype == jnp.float32, f"{name} returns {got.dtype}"
    scale = float(jnp.abs(want).max())
    # bfloat16 keeps 8 bits of mantissa: a few 2^-8 relative errors through the layers
    np.testing.assert_allclose(got, want, atol=0.03 * scale + 1e-3)
    assert not np.array_equal(np.asarray(got), np.asarray(want)), "no bfloat16 anywhere"

    grads = nnx.jit(nnx.grad(lambda m: jnp.sum(call(m) ** 2)))(low)
    for g in jax.tree.leaves(grads):
        assert g.dtype == jnp.float32 and bool(jnp.all(jnp.isfinite(g)))
