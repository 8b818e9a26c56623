"""Word dropout (Iyyer et al. 2015; the Flax sst2 example): each token becomes ``<unk>``
with probability ``rate``, so a classifier cannot hang its decision on one word."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def word_dropout(tokens: jax.Array, rate: float, unk_id: int, key: jax.Array) -> jax.Array:
    """tokens: int32[batch, time] -> tokens with each replaced by ``unk_id`` w.p. ``rate``."""
    return jnp.where(jax.random.bernoulli(key, rate, tokens.shape), unk_id, tokens)
