"""Speech recognizer (Graves et al. 2006, 2013): frame stacking, a BiLSTM stack and a
per-frame softmax over the tokens plus the CTC blank (id 0)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.nn import LSTM
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.nn.spec_augment import spec_augment


class SpeechRecognizer(nnx.Module):
    """features: float32[batch, time, F], lengths: int32[batch] -> (logits
    float32[batch, ceil(time / stack), tokens], output lengths int32[batch]).

    ``stack`` concatenates each ``stack`` consecutive frames into one and keeps one step in
    ``stack`` (Sak et al. 2015's lower frame rate): the LSTM runs ``stack`` times fewer
    steps. In training, SpecAugment masks ``freq_masks`` feature bands of up to
    ``freq_width`` and ``time_masks`` spans of up to ``time_width`` input frames; ``dropout``
    acts between the LSTM layers and before the output layer.
    """

    def __init__(
        self,
        in_features: int,
        num_tokens: int,
        hidden: int,
        num_layers: int = 2,
        *,
        stack: int = 1,
        dropout: float = 0.0,
        freq_masks: int = 0,
        freq_width: int = 0,
        time_masks: int = 0,
        time_width: int = 0,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.stack, self.dropout, self.deterministic = stack, dropout, False
        self.masks = (freq_masks, freq_width, time_masks, time_width)
        self.rnn = LSTM(
            in_features * stack,
            hidden,
            num_layers=num_layers,
            bidirectional=True,
            dropout=dropout,
            dtype=dtype,
            rngs=rngs,
        )
        self.out = nnx.Linear(
            2 * hidden, num_tokens, dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs
        )
        self.rngs = rngs.dropout.fork()

    def output_lengths(self, lengths: jax.Array) -> jax.Array:
        return (lengths + self.stack - 1) // self.stack

    def __call__(self, features: jax.Array, lengths: jax.Array) -> tuple[jax.Array, jax.Array]:
        x = features
        if not self.deterministic and any(self.masks):
            x = spec_augment(self.rngs(), x, lengths, *self.masks)
        b, t, f = x.shape
        steps = -(-t // self.stack)
        x = jnp.pad(x, ((0, 0), (0, steps * self.stack - t), (0, 0)))
        x = x.reshape(b, steps, self.stack * f)
        out_lengths = self.output_lengths(lengths)
        h, _ = self.rnn(x, out_lengths, deterministic=self.deterministic)
        if self.dropout and not self.deterministic:
            h = h * dropout_mask(self.rngs(), self.dropout, h.shape)
        return self.out(h), out_lengths
