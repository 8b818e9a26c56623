"""Linear-chain CRF (Lafferty et al. 2001; Lample et al. 2016) over per-token emissions.

score(y) = start[y_1] + sum_t emit[t, y_t] + sum_t trans[y_{t-1}, y_t] + end[y_T], over
each sequence's valid steps only. The log partition function comes from the forward
algorithm in log space, the best path from Viterbi; both are ``lax.scan``s that leave
the state unchanged past a sequence's length, so padding never counts.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx


def _valid(lengths: jax.Array, time: int) -> jax.Array:
    return jnp.arange(time)[:, None] < lengths[None, :]  # bool[time, batch]


def sequence_score(
    emissions: jax.Array,
    tags: jax.Array,
    lengths: jax.Array,
    trans: jax.Array,
    start: jax.Array,
    end: jax.Array,
) -> jax.Array:
    """emissions: float32[batch, time, tags], tags: int32[batch, time] -> float32[batch]."""
    t = emissions.shape[1]
    mask = _valid(lengths, t).T.astype(emissions.dtype)  # [batch, time]
    emit = jnp.take_along_axis(emissions, tags[..., None], -1)[..., 0]
    pair = trans[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]
    last = jnp.take_along_axis(tags, (lengths - 1)[:, None], 1)[:, 0]
    return start[tags[:, 0]] + jnp.sum(emit * mask, 1) + jnp.sum(pair, 1) + end[last]


def log_partition(
    emissions: jax.Array, lengths: jax.Array, trans: jax.Array, start: jax.Array, end: jax.Array
) -> jax.Array:
    """log sum over every tag sequence of exp(score): float32[batch] (forward algorithm)."""
    valid = _valid(lengths, emissions.shape[1])
    alpha = start[None, :] + emissions[:, 0]

    def step(alpha, inputs):
        emit_t, valid_t = inputs
        nxt = jax.nn.logsumexp(alpha[:, :, None] + trans[None], axis=1) + emit_t
        return jnp.where(valid_t[:, None], nxt, alpha), None

    xs = (jnp.swapaxes(emissions, 0, 1)[1:], valid[1:])
    alpha, _ = jax.lax.scan(step, alpha, xs)
    return jax.nn.logsumexp(alpha + end[None, :], axis=1)


def viterbi(
    emissions: jax.Array, lengths: jax.Array, trans: jax.Array, start: jax.Array, end: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """The best tag sequence: (int32[batch, time], 0 past each length; its score [batch])."""
    _, t, n = emissions.shape
    valid = _valid(lengths, t)
    delta = start[None, :] + emissions[:, 0]

    def forward(delta, inputs):
        emit_t, valid_t = inputs
        cand = delta[:, :, None] + trans[None]  # [batch, from, to]
        best_prev = jnp.argmax(cand, axis=1).astype(jnp.int32)
        nxt = jnp.max(cand, axis=1) + emit_t
        # past the end, stay put and point each tag at itself
        keep = jnp.broadcast_to(jnp.arange(n, dtype=jnp.int32), best_prev.shape)
        return (
            jnp.where(valid_t[:, None], nxt, delta),
            jnp.where(valid_t[:, None], best_prev, keep),
        )

    delta, back = jax.lax.scan(forward, delta, (jnp.swapaxes(emissions, 0, 1)[1:], valid[1:]))
    final = delta + end[None, :]
    last = jnp.argmax(final, axis=1).astype(jnp.int32)

    def backward(tag, back_t):
        prev = jnp.take_along_axis(back_t, tag[:, None], 1)[:, 0]
        return prev, tag

    first, path = jax.lax.scan(backward, last, back, reverse=True)
    tags = jnp.concatenate([first[None], path], 0).T  # [batch, time]
    return jnp.where(valid.T, tags, 0), jnp.max(final, axis=1)


class CRF(nnx.Module):
    """Transition, start and end scores for ``num_tags`` tags; ``nll`` trains, ``decode``
    predicts. emissions: float32[batch, time, num_tags], lengths: int32[batch] (>= 1)."""

    def __init__(self, num_tags: int, *, rngs: nnx.Rngs):
        init = nnx.initializers.uniform(0.2)
        self.trans = nnx.Param(init(rngs.params(), (num_tags, num_tags)) - 0.1)
        self.start = nnx.Param(jnp.zeros(num_tags))
        self.end = nnx.Param(jnp.zeros(num_tags))

    def _params(self):
        return self.trans[...], self.start[...], self.end[...]

    def nll(self, emissions: jax.Array, tags: jax.Array, lengths: jax.Array) -> jax.Array:
        """-log p(tags | emissions): float32[batch]."""
        p = self._params()
        return log_partition(emissions, lengths, *p) - sequence_score(emissions, tags, lengths, *p)

    def decode(self, emissions: jax.Array, lengths: jax.Array) -> jax.Array:
        """Viterbi tags int32[batch, time] (0 past each length)."""
        return viterbi(emissions, lengths, *self._params())[0]
