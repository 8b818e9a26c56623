"""The CRF's forward algorithm and Viterbi against brute-force enumeration."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lstm_jax.nn.crf import CRF, log_partition, sequence_score, viterbi


def brute(emissions, length, trans, start, end):
    """(log partition, best path, best score) by enumerating every tag sequence."""
    n = emissions.shape[-1]
    scores = {}
    for seq in itertools.product(range(n), repeat=length):
        s = start[seq[0]] + end[seq[-1]] + sum(emissions[t, y] for t, y in enumerate(seq))
        s += sum(trans[a, b] for a, b in itertools.pairwise(seq))
        scores[seq] = float(s)
    best = max(scores, key=scores.get)
    return float(np.logaddexp.reduce(list(scores.values()))), best, scores[best]


def test_forward_and_viterbi_match_brute_force():
    rng = np.random.default_rng(0)
    b, t, n = 3, 5, 3
    emissions = rng.normal(size=(b, t, n)).astype(np.float32)
    trans, start, end = (rng.normal(size=s).astype(np.float32) for s in [(n, n), (n,), (n,)])
    lengths = np.array([5, 3, 1])
    logz = log_partition(jnp.asarray(emissions), jnp.asarray(lengths), trans, start, end)
    tags, best = viterbi(jnp.asarray(emissions), jnp.asarray(lengths), trans, start, end)
    for i in range(b):
        z, path, score = brute(emissions[i], lengths[i], trans, start, end)
        np.testing.assert_allclose(logz[i], z, rtol=1e-5)
        assert tuple(np.asarray(tags[i, : lengths[i]])) == path
        assert np.all(np.asarray(tags[i, lengths[i] :]) == 0)
        np.testing.assert_allclose(best[i], score, rtol=1e-5)
        padded = np.zeros(t, np.int32)
        padded[: lengths[i]] = path
        s = sequence_score(
            jnp.asarray(emissions[i : i + 1]),
            jnp.asarray(padded[None]),
            jnp.asarray(lengths[i : i + 1]),
            trans,
            start,
            end,
        )
        np.testing.assert_allclose(s[0], score, rtol=1e-5)


def test_nll_is_a_normalized_distribution_and_trains():
    crf = CRF(3, rngs=nnx.Rngs(0))
    emissions = jax.random.normal(jax.random.key(1), (1, 3, 3))
    lengths = jnp.array([3])
    probs = [
        float(jnp.exp(-crf.nll(emissions, jnp.array([seq]), lengths))[0])
        for seq in itertools.product(range(3), repeat=3)
    ]
    np.testing.assert_allclose(sum(probs), 1.0, rtol=1e-5)
    grads = nnx.grad(lambda m: m.nll(emissions, jnp.array([[0, 1, 2]]), lengths).sum())(crf)
    assert all(float(jnp.abs(g).sum()) > 0 for g in jax.tree.leaves(grads))
