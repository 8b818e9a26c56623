"""Sequence pooling over the valid steps of a right-padded batch: a sentence vector.

``last`` reads the recurrent layer's final state (both directions' for a BiLSTM), the
others read the outputs. ``attention`` is additive attention with a learned query, as in
the Flax sst2 example: score_t = v . tanh(W h_t), softmax over the valid steps only.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

POOLINGS = ("last", "mean", "max", "attention")


def valid_mask(lengths: jax.Array, time: int) -> jax.Array:
    """lengths: int32[batch] -> bool[batch, time], True on the valid steps."""
    return jnp.arange(time)[None, :] < lengths[:, None]


def mean_pool(h: jax.Array, lengths: jax.Array) -> jax.Array:
    """h: float32[batch, time, features] -> float32[batch, features]."""
    mask = valid_mask(lengths, h.shape[1])[..., None]
    return jnp.sum(h * mask, 1) / jnp.maximum(lengths, 1)[:, None].astype(h.dtype)


def max_pool(h: jax.Array, lengths: jax.Array) -> jax.Array:
    """h: float32[batch, time, features] -> float32[batch, features]."""
    mask = valid_mask(lengths, h.shape[1])[..., None]
    return jnp.max(jnp.where(mask, h, -jnp.inf), 1)


def position_pool(h: jax.Array, lengths: jax.Array) -> jax.Array:
    """h: float32[batch, time, features] -> float32[batch, features]: MemN2N's position
    encoding (Sukhbaatar et al. 2015, section 4.1), sum_j l_j * h_j with
    l_kj = (1 - j/J) - (k/d)(1 - 2j/J), j and k counted from 1 and J the valid length, so
    word order reaches the sum without any parameters."""
    _, t, d = h.shape
    j = jnp.arange(1, t + 1, dtype=h.dtype)[None, :, None]
    k = jnp.arange(1, d + 1, dtype=h.dtype)[None, None, :]
    n = jnp.maximum(lengths, 1).astype(h.dtype)[:, None, None]
    weight = (1 - j / n) - (k / d) * (1 - 2 * j / n)
    mask = valid_mask(lengths, t)[..., None]
    return jnp.sum(h * weight * mask, 1)


class AttentionPool(nnx.Module):
    """h: float32[batch, time, features], lengths -> (float32[batch, features], weights
    float32[batch, time]); padding gets weight exactly 0."""

    def __init__(self, features: int, hidden: int, *, rngs: nnx.Rngs):
        self.proj = nnx.Linear(features, hidden, rngs=rngs)
        self.query = nnx.Linear(hidden, 1, use_bias=False, rngs=rngs)

    def __call__(self, h: jax.Array, lengths: jax.Array) -> tuple[jax.Array, jax.Array]:
        scores = self.query(jnp.tanh(self.proj(h)))[..., 0]
        scores = jnp.where(valid_mask(lengths, h.shape[1]), scores, -jnp.inf)
        weights = jax.nn.softmax(scores, axis=-1)
        return jnp.einsum("bt,btf->bf", weights, h), weights
