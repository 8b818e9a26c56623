"""Recurrent encoders with a linear head, for the long-range memory tasks.

``cell`` picks ``lstm``, ``gru`` or ``rnn``, so the same task compares the three.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import GRU, LSTM, SimpleRNN

CELLS = {"lstm": LSTM, "gru": GRU, "rnn": SimpleRNN}


def make_rnn(cell: str, in_features: int, hidden: int, num_layers: int, rngs: nnx.Rngs, dtype: Any):
    if cell not in CELLS:
        raise ConfigError(f"unknown model.cell {cell!r}; choose one of {sorted(CELLS)}")
    return CELLS[cell](in_features, hidden, num_layers=num_layers, dtype=dtype, rngs=rngs)


class SequenceRegressor(nnx.Module):
    """x: float32[batch, time, features] -> float32[batch], read from the last step."""

    def __init__(
        self,
        cell: str,
        in_features: int,
        hidden: int,
        num_layers: int,
        *,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.rnn = make_rnn(cell, in_features, hidden, num_layers, rngs, dtype)
        self.head = nnx.Linear(
            hidden, 1, dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        ys, _ = self.rnn(x)
        return self.head(ys[:, -1])[:, 0]


class SequenceTagger(nnx.Module):
    """tokens: int32[batch, time] -> logits float32[batch, time, num_classes]."""

    def __init__(
        self,
        cell: str,
        vocab: int,
        hidden: int,
        num_layers: int,
        num_classes: int,
        *,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.vocab = vocab
        self.rnn = make_rnn(cell, vocab, hidden, num_layers, rngs, dtype)
        self.head = nnx.Linear(
            hidden, num_classes, dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs
        )

    def __call__(self, tokens: jax.Array) -> jax.Array:
        ys, _ = self.rnn(jax.nn.one_hot(tokens, self.vocab, dtype=jnp.float32))
        return self.head(ys)
