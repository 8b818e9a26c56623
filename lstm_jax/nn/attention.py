"""Encoder-decoder attention: Luong et al. (2015) ``dot`` and ``general``, Bahdanau et al.
(2015) ``additive``. Source padding gets weight exactly 0.

    score(q, k) = q . k                     dot      (query and key sizes must match)
                = q . (W k)                 general
                = v . tanh(W_q q + W_k k)   additive

Keys are projected once per source sentence (``project_keys``), not once per decoder step.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError

KINDS = ("dot", "general", "additive")


class Attention(nnx.Module):
    def __init__(
        self,
        query_features: int,
        key_features: int,
        kind: str = "general",
        hidden: int = 0,
        *,
        rngs: nnx.Rngs,
    ):
        if kind not in KINDS:
            raise ConfigError(f"unknown attention {kind!r}; choose one of {KINDS}")
        if kind == "dot" and query_features != key_features:
            raise ConfigError(
                f"dot attention needs equal query and key sizes, got {query_features} and "
                f"{key_features}; use general or additive"
            )
        self.kind = kind
        hidden = hidden or query_features
        additive = kind == "additive"
        key_out = hidden if additive else query_features
        self.key_proj = (
            nnx.Linear(key_features, key_out, use_bias=False, rngs=rngs) if kind != "dot" else None
        )
        self.query_proj = nnx.Linear(query_features, hidden, rngs=rngs) if additive else None
        self.v = nnx.Linear(hidden, 1, use_bias=False, rngs=rngs) if additive else None

    def project_keys(self, keys: jax.Array) -> jax.Array:
        """keys: float32[batch, source, key_features] -> what ``__call__`` scores against."""
        return keys if self.key_proj is None else self.key_proj(keys)

    def __call__(
        self, query: jax.Array, keys: jax.Array, projected: jax.Array, mask: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """query: float32[batch, query_features], keys: float32[batch, source, key_features],
        projected: ``project_keys(keys)``, mask: bool[batch, source] (True = a real token)
        -> (context float32[batch, key_features], weights float32[batch, source])."""
        if self.kind == "additive":
            hidden = jnp.tanh(projected + self.query_proj(query)[:, None, :])
            scores = self.v(hidden)[..., 0]
        else:
            scores = jnp.einsum("bf,bsf->bs", query, projected)
        # -1e9, not -inf: exp underflows to exactly 0, and an all-padding row stays finite
        weights = jax.nn.softmax(jnp.where(mask, scores, -1e9), axis=-1)
        weights = jnp.where(mask, weights, 0.0)
        return jnp.einsum("bs,bsf->bf", weights, keys), weights
