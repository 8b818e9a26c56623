"""Sentence classifier: embedding -> (Bi)LSTM -> pooling -> MLP -> class logits."""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lstm_jax.errors import ConfigError, ShapeError
from lstm_jax.nn import LSTM
from lstm_jax.nn.embedding_dropout import embedding_dropout
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.nn.pooling import POOLINGS, AttentionPool, max_pool, mean_pool
from lstm_jax.nn.word_dropout import word_dropout


class TextClassifier(nnx.Module):
    """tokens: int32[batch, time], lengths: int32[batch] -> logits float32[batch, classes].

    Padding never changes a logit: the LSTM stops at each length and every pooling reads
    the valid steps only. ``embedding: float32[vocab, embed]`` starts the embedding from
    pretrained vectors. Dropout: ``word_dropout`` (tokens -> ``unk_id``), ``embed_dropout``
    (whole word types), ``dropout`` on the LSTM's input, between its layers and before
    each MLP layer.
    """

    def __init__(
        self,
        vocab: int,
        num_classes: int,
        embed: int,
        hidden: int,
        num_layers: int = 1,
        *,
        bidirectional: bool = True,
        pooling: str = "max",
        mlp: tuple[int, ...] = (),
        dropout: float = 0.0,
        embed_dropout: float = 0.0,
        word_dropout: float = 0.0,
        unk_id: int = 0,
        embedding: np.ndarray | None = None,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        if pooling not in POOLINGS:
            raise ConfigError(f"unknown model.pooling {pooling!r}; choose one of {POOLINGS}")
        self.pooling, self.dropout = pooling, dropout
        self.embed_dropout, self.word_dropout, self.unk_id = embed_dropout, word_dropout, unk_id
        self.deterministic = False
        self.embed = nnx.Embed(vocab, embed, rngs=rngs)
        if embedding is not None:
            if embedding.shape != (vocab, embed):
                raise ShapeError(
                    f"pretrained embedding has shape {embedding.shape}, the model needs "
                    f"({vocab}, {embed})"
                )
            self.embed.embedding[...] = jnp.asarray(embedding, jnp.float32)
        self.rnn = LSTM(
            embed,
            hidden,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            input_dropout=dropout,
            dtype=dtype,
            rngs=rngs,
        )
        features = hidden * (2 if bidirectional else 1)
        self.attention = (
            AttentionPool(features, hidden, rngs=rngs) if pooling == "attention" else None
        )
        sizes = [features, *mlp]
        dense = dict(dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs)
        self.mlp = nnx.List([nnx.Linear(a, b, **dense) for a, b in itertools.pairwise(sizes)])
        self.out = nnx.Linear(sizes[-1], num_classes, **dense)
        self.rngs = rngs.dropout.fork()

    def __call__(self, tokens: jax.Array, lengths: jax.Array) -> jax.Array:
        train = not self.deterministic
        if train and self.word_dropout:
            tokens = word_dropout(tokens, self.word_dropout, self.unk_id, self.rngs())
        table = self.embed.embedding[...]
        if train and self.embed_dropout:
            table = embedding_dropout(table, self.embed_dropout, self.rngs())
        h, state = self.rnn(jnp.take(table, tokens, axis=0), lengths, deterministic=not train)
        if self.pooling == "last":
            d = self.rnn.num_directions
            x = jnp.concatenate(list(state.h[-d:]), axis=-1)  # the top layer's directions
        elif self.pooling == "mean":
            x = mean_pool(h, lengths)
        elif self.pooling == "max":
            x = max_pool(h, lengths)
        else:
            x, _ = self.attention(h, lengths)
        for layer in self.mlp:
            x = jax.nn.relu(layer(self._drop(x)))
        return self.out(self._drop(x))

    def attention_weights(self, tokens: jax.Array, lengths: jax.Array) -> jax.Array:
        """tokens: int32[batch, time], lengths -> float32[batch, time]: how much each word
        counts in the sentence vector (attention pooling only; padding gets 0)."""
        if self.pooling != "attention":
            raise ConfigError(f"attention_weights needs pooling='attention', not {self.pooling!r}")
        h, _ = self.rnn(jnp.take(self.embed.embedding[...], tokens, axis=0), lengths)
        return self.attention(h, lengths)[1]

    def _drop(self, x: jax.Array) -> jax.Array:
        if self.deterministic or not self.dropout:
            return x
        return x * dropout_mask(self.rngs(), self.dropout, x.shape)
