"""Embedding dropout (Gal & Ghahramani 2016; AWD-LSTM's ``dropoute``).

Drops whole word types: every occurrence of a dropped word in the batch embeds to zero,
so the model cannot lean on any one word's vector.
"""

from __future__ import annotations

import jax

from lstm_jax.nn.locked_dropout import dropout_mask


def embedding_dropout(table: jax.Array, rate: float, key: jax.Array) -> jax.Array:
    """table: float32[vocab, features] -> the table with rows zeroed w.p. ``rate``, rescaled."""
    return table * dropout_mask(key, rate, (table.shape[0], 1)).astype(table.dtype)
