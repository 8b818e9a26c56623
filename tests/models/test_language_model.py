"""The LM: shapes, windows with a carried state equal the whole stream, tying, dropout."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.models.language_model import LanguageModel


def test_shapes_and_tied_sizes():
    m = LanguageModel(30, 6, 10, 3, tie=True, rngs=nnx.Rngs(0))
    assert m.sizes == ((10, 10), (10, 10), (6, 6))
    logits, state, (raw, dropped) = m(jnp.zeros((2, 7), jnp.int32), m.zero_state(2))
    assert logits.shape == (2, 7, 30) and raw.shape == dropped.shape == (2, 7, 6)
    assert [h.shape for h, _ in state] == [(2, 10), (2, 10), (2, 6)]
    assert m.decoder is None
    p = LanguageModel(30, 6, 10, 2, proj=4, rngs=nnx.Rngs(0))  # LSTMP, untied
    logits, state, _ = p(jnp.zeros((2, 3), jnp.int32), p.zero_state(2))
    assert logits.shape == (2, 3, 30)
    assert [(h.shape, c.shape) for h, c in state] == [((2, 4), (2, 10))] * 2


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_windows_with_carried_state_equal_the_whole_stream(cell):
    m = LanguageModel(20, 8, 12, 2, init_scale=0.3, cell=cell, rngs=nnx.Rngs(1))
    m.eval()
    tokens = jax.random.randint(jax.random.key(0), (3, 24), 0, 20)
    whole, whole_state, _ = m(tokens, m.zero_state(3))
    state, parts = m.zero_state(3), []
    for t in range(0, 24, 5):
        logits, state, _ = m(tokens[:, t : t + 5], state)
        parts.append(logits)
    np.testing.assert_allclose(jnp.concatenate(parts, 1), whole, rtol=1e-5, atol=1e-5)
    assert len(state[0]) == (2 if cell == "lstm" else 1)  # (h, c) or (h,)
    for a, b in zip(jax.tree.leaves(state), jax.tree.leaves(whole_state), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_dropout_sites_act_in_training_only():
    kw = dict(embed_dropout=0.5, input_dropout=0.5, hidden_dropout=0.5, output_dropout=0.5)
    m = LanguageModel(20, 8, 8, 2, variational=True, weight_drop=0.5, **kw, rngs=nnx.Rngs(0))
    tokens = jnp.arange(10)[None] % 20
    a = m(tokens, m.zero_state(1))[0]
    b = m(tokens, m.zero_state(1))[0]
    assert not np.allclose(a, b)  # fresh masks per call
    _, _, (_, dropped) = m(tokens, m.zero_state(1))
    zero_cols = np.all(np.asarray(dropped[0]) == 0, axis=0)
    assert zero_cols.any()  # variational: a dropped unit stays dropped at every step
    m.eval()
    np.testing.assert_array_equal(m(tokens, m.zero_state(1))[0], m(tokens, m.zero_state(1))[0])


def test_cell_options_are_checked():
    with pytest.raises(ConfigError, match=r"unknown model\.cell 'lstmx'"):
        LanguageModel(20, 8, 8, 1, cell="lstmx", rngs=nnx.Rngs(0))
    with pytest.raises(ConfigError, match="LSTM options"):
        LanguageModel(20, 8, 8, 1, cell="gru", proj=4, rngs=nnx.Rngs(0))
