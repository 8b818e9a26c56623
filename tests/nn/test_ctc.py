"""CTC: optax's loss against a brute-force sum over every alignment, best path and prefix
beam search against hand-worked and brute-force answers."""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from lstm_jax.nn import ctc

T, V = 4, 3  # frames, tokens (0 = blank)
LOG_PROBS = jax.nn.log_softmax(jax.random.normal(jax.random.key(0), (T, V)) * 2)


def brute_force() -> dict[tuple[int, ...], float]:
    """Every labelling's probability: the sum over all V^T frame paths that yield it."""
    probs: dict[tuple[int, ...], float] = {}
    lp = np.asarray(LOG_PROBS, np.float64)
    for path in itertools.product(range(V), repeat=T):
        label = tuple(ctc.collapse(path))
        probs[label] = probs.get(label, 0.0) + math.exp(sum(lp[t, k] for t, k in enumerate(path)))
    return probs


@pytest.mark.parametrize("label", [(1, 2), (1, 1), (2,), (1, 2, 1)])
def test_optax_ctc_loss_is_the_sum_over_alignments(label):
    labels = jnp.array([list(label) + [0] * (3 - len(label))])
    label_pad = jnp.array([[0.0] * len(label) + [1.0] * (3 - len(label))])
    loss = optax.ctc_loss(LOG_PROBS[None], jnp.zeros((1, T)), labels, label_pad, blank_id=0)
    np.testing.assert_allclose(float(loss[0]), -math.log(brute_force()[label]), rtol=1e-5)


def test_greedy_merges_repeats_then_drops_blanks():
    path = np.array([[1, 1, 0, 1, 2, 2, 0, 2], [2, 0, 0, 2, 1, 1, 1, 1]])
    log_probs = jax.nn.one_hot(path, V) * 5.0
    assert ctc.greedy(log_probs, jnp.array([8, 5])) == [[1, 1, 2, 2], [2, 2, 1]]
    assert ctc.collapse([0, 0, 0]) == []


def test_beam_search_finds_the_likeliest_labelling_greedy_misses():
    # each frame: blank 0.6, "a" 0.4. Best path is blank-blank (""), p = 0.36; but "a"
    # has three paths (aa, a-, -a): 0.16 + 0.24 + 0.24 = 0.64
    lp = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
    assert ctc.greedy(jnp.asarray(lp)[None], jnp.array([2])) == [[]]
    best = ctc.beam_search(lp, beam=4)
    assert best[0][0] == [1] and math.isclose(math.exp(best[0][1]), 0.64, rel_tol=1e-9)
    assert best[1][0] == [] and math.isclose(math.exp(best[1][1]), 0.36, rel_tol=1e-9)


def test_wide_beam_equals_brute_force():
    truth = sorted(brute_force().items(), key=lambda kv: -kv[1])
    got = ctc.beam_search(np.asarray(LOG_PROBS), beam=100)
    assert len(got) == len(truth)
    for (label, lp), (want, p) in zip(got, truth, strict=True):
        assert tuple(label) == want
        assert math.isclose(math.exp(lp), p, rel_tol=1e-9)
