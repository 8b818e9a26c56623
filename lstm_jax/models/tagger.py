"""Sequence tagger (Lample et al. 2016): word embeddings plus a character BiLSTM per
word, a BiLSTM over the sentence, and a softmax or linear-chain CRF output layer."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.nn import LSTM
from lstm_jax.nn.crf import CRF
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.nn.word_dropout import word_dropout


class Tagger(nnx.Module):
    """words: int32[batch, time], chars: int32[batch, time, word_len], char_lengths:
    int32[batch, time], lengths: int32[batch] -> emissions float32[batch, time, tags].

    ``char_hidden`` 0 leaves out the character features. ``word_dropout`` replaces words
    by ``unk_id`` in training (the characters still see them). With ``crf`` the loss is the
    CRF's negative log-likelihood and ``decode`` is Viterbi; otherwise per-token softmax.
    """

    def __init__(
        self,
        vocab: int,
        chars: int,
        num_tags: int,
        embed: int,
        hidden: int,
        num_layers: int = 1,
        *,
        char_embed: int = 25,
        char_hidden: int = 25,
        crf: bool = True,
        dropout: float = 0.0,
        word_dropout: float = 0.0,
        unk_id: int = 0,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.dropout, self.deterministic = dropout, False
        self.word_dropout, self.unk_id = word_dropout, unk_id
        self.embed = nnx.Embed(vocab, embed, rngs=rngs)
        self.char_embed = nnx.Embed(chars, char_embed, rngs=rngs) if char_hidden else None
        self.char_rnn = (
            LSTM(char_embed, char_hidden, bidirectional=True, dtype=dtype, rngs=rngs)
            if char_hidden
            else None
        )
        features = embed + 2 * char_hidden
        self.rnn = LSTM(
            features,
            hidden,
            num_layers=num_layers,
            bidirectional=True,
            dropout=dropout,
            dtype=dtype,
            rngs=rngs,
        )
        self.out = nnx.Linear(
            2 * hidden, num_tags, dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs
        )
        self.crf = CRF(num_tags, rngs=rngs) if crf else None
        self.rngs = rngs.dropout.fork()

    def _drop(self, x: jax.Array) -> jax.Array:
        if self.deterministic or not self.dropout:
            return x
        return x * dropout_mask(self.rngs(), self.dropout, x.shape)

    def __call__(self, words, chars, char_lengths, lengths) -> jax.Array:
        if self.word_dropout and not self.deterministic:
            # an unknown word at test time is common (new names): train the <unk> vector
            # and lean on the characters, as Lample et al.'s singleton replacement does
            words = word_dropout(words, self.word_dropout, self.unk_id, self.rngs())
        x = self.embed(words)
        if self.char_rnn is not None:
            b, t, w = chars.shape
            c = self.char_embed(chars.reshape(b * t, w))
            # padding words get length 1 so every row is defined; they are masked later
            _, state = self.char_rnn(
                c, jnp.maximum(char_lengths.reshape(-1), 1), deterministic=self.deterministic
            )
            per_word = jnp.concatenate([state.h[0], state.h[1]], -1).reshape(b, t, -1)
            x = jnp.concatenate([x, per_word], -1)
        h, _ = self.rnn(self._drop(x), lengths, deterministic=self.deterministic)
        return self.out(self._drop(h))

    def loss(self, emissions, tags, lengths) -> jax.Array:
        """Per-sentence negative log-likelihood float32[batch] (summed over its tokens)."""
        if self.crf is not None:
            return self.crf.nll(emissions, tags, lengths)
        mask = jnp.arange(tags.shape[1])[None, :] < lengths[:, None]
        logp = jax.nn.log_softmax(emissions)
        nll = -jnp.take_along_axis(logp, tags[..., None], -1)[..., 0]
        return jnp.sum(nll * mask, 1)

    def decode(self, emissions, lengths) -> jax.Array:
        """Predicted tags int32[batch, time] (0 past each length)."""
        if self.crf is not None:
            return self.crf.decode(emissions, lengths)
        mask = jnp.arange(emissions.shape[1])[None, :] < lengths[:, None]
        return jnp.where(mask, jnp.argmax(emissions, -1), 0).astype(jnp.int32)
