"""Attention masks padding; beam search: size 1 is greedy, a wide beam is exhaustive."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn.attention import KINDS, Attention
from lstm_jax.nn.decoding import beam_search, length_penalty


@pytest.mark.parametrize("kind", KINDS)
def test_attention_gives_source_padding_zero_weight(kind):
    att = Attention(6, 6, kind, rngs=nnx.Rngs(0))
    keys = jax.random.normal(jax.random.key(0), (2, 5, 6))
    query = jax.random.normal(jax.random.key(1), (2, 6))
    mask = jnp.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    ctx, w = att(query, keys, att.project_keys(keys), mask)
    assert np.all(np.asarray(w[0, 3:]) == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-6)
    # padding content cannot leak: change it, nothing moves
    keys2 = keys.at[0, 3:].set(100.0)
    ctx2, w2 = att(query, keys2, att.project_keys(keys2), mask)
    np.testing.assert_allclose(ctx2[0], ctx[0], atol=1e-6)
    np.testing.assert_allclose(w2[0], w[0], atol=1e-6)
    with pytest.raises(ConfigError, match="dot attention needs equal"):
        Attention(6, 8, "dot", rngs=nnx.Rngs(0))


def toy_step(table):
    """A step whose log-probs depend on the previous token and a per-row state counter."""

    def step(tokens, state):
        logits = table[state % table.shape[0], tokens]
        return jax.nn.log_softmax(logits), state + 1

    return step


def test_beam_of_one_is_greedy():
    vocab, max_len = 6, 7
    table = jax.random.normal(jax.random.key(2), (max_len, vocab, vocab)) * 3
    step = toy_step(table)
    tokens, _ = beam_search(step, jnp.zeros(3, jnp.int32), 3, 1, max_len, bos=0, eos=1)
    last, state, greedy, done = jnp.zeros(3, jnp.int32), jnp.zeros(3, jnp.int32), [], None
    for _ in range(max_len):
        logp, state = step(last, state)
        last = jnp.argmax(logp, -1).astype(jnp.int32)
        done = last == 1 if done is None else done | (last == 1)
        greedy.append(last)
        last = jnp.where(done, 1, last)
    greedy = np.stack(greedy, 1)
    # after its first EOS, a greedy row is EOS too
    for row in greedy:
        if 1 in row:
            row[list(row).index(1) :] = 1
    np.testing.assert_array_equal(tokens, greedy)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_wide_beam_finds_the_brute_force_best(alpha):
    vocab, max_len, eos = 3, 4, 2
    table = jax.random.normal(jax.random.key(3), (max_len, vocab, vocab)) * 2
    step = toy_step(table)
    beam = vocab**max_len
    state = jnp.zeros(beam, jnp.int32)
    tokens, score = beam_search(step, state, 1, beam, max_len, bos=0, eos=eos, alpha=alpha)
    best, best_score = None, (False, -np.inf)  # (ended with EOS, normalized score)
    for seq in itertools.product(range(vocab), repeat=max_len):
        total, last, length = 0.0, 0, 0
        for t, tok in enumerate(seq):
            total += float(jax.nn.log_softmax(table[t, last])[tok])
            last, length = tok, length + 1
            if tok == eos:
                break
        if eos in seq and any(x != eos for x in seq[seq.index(eos) :]):
            continue  # the same hypothesis as its prefix up to EOS
        s = (eos in seq, total / float(length_penalty(jnp.float32(length), alpha)))
        if s > best_score:
            best, best_score = seq, s
    np.testing.assert_array_equal(tokens[0], best)
    np.testing.assert_allclose(score[0], best_score[1], rtol=1e-5)
