"""Batched beam search over any step function, jit-compatible (fixed maximum length).

Beams live on the batch axis (``batch * beam`` rows), so the step function is the
model's ordinary one-step decoder. A finished beam continues with EOS at no cost, so
it keeps its score while the others grow. At the end each hypothesis is ranked by its
log-probability divided by GNMT's length penalty ((5 + length) / 6) ** alpha (Wu et al.
2016); alpha = 0 ranks by log-probability. Hypotheses that reached EOS rank before any
cut off at ``max_len``. Beam size 1 is greedy decoding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

StepFn = Callable[[jax.Array, Any], tuple[jax.Array, Any]]


def length_penalty(lengths: jax.Array, alpha: float) -> jax.Array:
    return ((5.0 + lengths) / 6.0) ** alpha


def beam_search(
    step: StepFn,
    state: Any,
    batch: int,
    beam: int,
    max_len: int,
    bos: int,
    eos: int,
    alpha: float = 0.0,
) -> tuple[jax.Array, jax.Array]:
    """step(tokens int32[batch * beam], state) -> (log-probs float32[batch * beam, vocab],
    state); ``state``'s leaves have ``batch * beam`` rows (tile each example ``beam``
    times). -> (the best hypothesis per example, tokens int32[batch, max_len] with EOS
    repeated after its first EOS, and its normalized score float32[batch])."""
    neg = jnp.float32(-1e9)
    scores = jnp.full((batch, beam), neg).at[:, 0].set(0.0)  # one live beam at the start
    tokens = jnp.zeros((batch, beam, max_len), jnp.int32)
    finished = jnp.zeros((batch, beam), bool)
    lengths = jnp.zeros((batch, beam), jnp.int32)
    last = jnp.full((batch * beam,), bos, jnp.int32)

    def body(t, carry):
        scores, tokens, finished, lengths, last, state = carry
        logp, state = step(last, state)
        vocab = logp.shape[-1]
        logp = logp.reshape(batch, beam, vocab)
        eos_only = jnp.full((vocab,), neg).at[eos].set(0.0)
        logp = jnp.where(finished[..., None], eos_only, logp)
        top, idx = jax.lax.top_k((scores[..., None] + logp).reshape(batch, beam * vocab), beam)
        src, tok = idx // vocab, (idx % vocab).astype(jnp.int32)
        pick = lambda a: jnp.take_along_axis(a, src.reshape(batch, beam, *([1] * (a.ndim - 2))), 1)
        done = pick(finished)
        tokens = pick(tokens).at[:, :, t].set(tok)
        lengths = pick(lengths) + (~done).astype(jnp.int32)
        rows = (jnp.arange(batch)[:, None] * beam + src).reshape(-1)
        state = jax.tree.map(lambda x: x[rows], state)
        return top, tokens, done | (tok == eos), lengths, tok.reshape(-1), state

    carry = (scores, tokens, finished, lengths, last, state)
    scores, tokens, finished, lengths, _, _ = jax.lax.fori_loop(0, max_len, body, carry)
    normalized = scores / length_penalty(lengths.astype(jnp.float32), alpha)
    # a hypothesis that ended with EOS beats any cut off at max_len (as Flax's beam search)
    best = jnp.argmax(jnp.where(finished, normalized, normalized - 1e9), axis=1)
    rows = jnp.arange(batch)
    return tokens[rows, best], normalized[rows, best]
