"""LSTM encoder-decoder with attention (Luong et al. 2015; Bahdanau et al. 2015).

A bidirectional LSTM encodes the source, ``hidden / 2`` units per direction so that its
outputs have the decoder's size (OpenNMT's ``brnn``); a bridge maps its final states to the
decoder's initial states; the decoder is an LSTM stack whose top output queries the
encoder outputs. Luong's attentional output ``h~ = tanh(W_c [context; h])`` predicts the
next word and, with input feeding, joins the next step's input.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import LSTM, kernels
from lstm_jax.nn.attention import Attention
from lstm_jax.nn.locked_dropout import dropout_mask

# decoder state, batch first (beam search reorders rows): (h float32[batch, layers,
# hidden], c float32[batch, layers, hidden], attentional output float32[batch, hidden])
State = tuple[jax.Array, jax.Array, jax.Array]
# what the decoder attends to: (keys [batch, source, hidden], projected keys, mask)
Memory = tuple[jax.Array, jax.Array, jax.Array]


class _Cell(nnx.Module):
    def __init__(self, in_features: int, hidden: int, rngs: nnx.Rngs):
        init, rec = nnx.initializers.lecun_normal(), nnx.initializers.orthogonal()
        self.w_ih = nnx.Param(init(rngs.params(), (in_features, 4 * hidden)))
        self.w_hh = nnx.Param(rec(rngs.params(), (hidden, 4 * hidden)))
        self.b = nnx.Param(jnp.zeros(4 * hidden).at[hidden : 2 * hidden].set(1.0))  # forget 1


class Seq2Seq(nnx.Module):
    """source: int32[batch, src_time], source_lengths: int32[batch], target_in:
    int32[batch, tgt_time] (BOS + target) -> logits float32[batch, tgt_time, tgt_vocab].

    ``attention``: dot | general | additive. ``tie`` shares the target embedding with the
    output layer (needs ``embed == hidden``). Dropout: source and target embeddings,
    between encoder layers, and on the attentional output before the softmax.
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        embed: int,
        hidden: int,
        encoder_layers: int = 1,
        decoder_layers: int = 1,
        *,
        attention: str = "general",
        input_feeding: bool = True,
        tie: bool = False,
        dropout: float = 0.0,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        if tie and embed != hidden:
            raise ConfigError(
                f"model.tie needs model.embed == model.hidden_features ({embed} != {hidden})"
            )
        if hidden % 2:
            raise ConfigError(
                f"model.hidden_features must be even (two encoder halves), got {hidden}"
            )
        self.hidden, self.layers = hidden, decoder_layers
        self.input_feeding, self.tie, self.dropout = input_feeding, tie, dropout
        self.deterministic = False
        self.dtype = jnp.dtype(dtype)
        self.src_embed = nnx.Embed(src_vocab, embed, rngs=rngs)
        self.tgt_embed = nnx.Embed(tgt_vocab, embed, rngs=rngs)
        self.encoder = LSTM(
            embed,
            hidden // 2,
            num_layers=encoder_layers,
            bidirectional=True,
            dropout=dropout,
            dtype=dtype,
            rngs=rngs,
        )
        self.bridge_h = nnx.Linear(hidden, decoder_layers * hidden, rngs=rngs)
        self.bridge_c = nnx.Linear(hidden, decoder_layers * hidden, rngs=rngs)
        first = embed + (hidden if input_feeding else 0)
        self.cells = nnx.List(
            [_Cell(first if i == 0 else hidden, hidden, rngs) for i in range(decoder_layers)]
        )
        self.attention = Attention(hidden, hidden, attention, rngs=rngs)
        self.combine = nnx.Linear(2 * hidden, hidden, use_bias=False, rngs=rngs)
        init = nnx.initializers.lecun_normal()
        self.out = None if tie else nnx.Param(init(rngs.params(), (hidden, tgt_vocab)))
        self.out_bias = nnx.Param(jnp.zeros(tgt_vocab))
        self.rngs = rngs.dropout.fork()

    def _drop(self, x: jax.Array) -> jax.Array:
        if self.deterministic or not self.dropout:
            return x
        return x * dropout_mask(self.rngs(), self.dropout, x.shape)

    def encode(self, source: jax.Array, lengths: jax.Array) -> tuple[Memory, State]:
        """-> (memory for attention, the decoder's initial state)."""
        x = self._drop(self.src_embed(source))
        keys, final = self.encoder(x, lengths, deterministic=self.deterministic)
        top = jnp.concatenate([final.h[-2], final.h[-1]], -1)  # both directions, top layer
        top_c = jnp.concatenate([final.c[-2], final.c[-1]], -1)
        batch = source.shape[0]
        h = jnp.tanh(self.bridge_h(top)).reshape(batch, self.layers, self.hidden)
        c = self.bridge_c(top_c).reshape(batch, self.layers, self.hidden)
        mask = jnp.arange(source.shape[1])[None, :] < lengths[:, None]
        memory = (keys, self.attention.project_keys(keys), mask)
        feed = jnp.zeros((batch, self.hidden), jnp.float32)
        return memory, (h, c, feed)

    def step(
        self, x: jax.Array, state: State, memory: Memory
    ) -> tuple[jax.Array, State, jax.Array]:
        """One decoder step on embedded input x: float32[batch, embed] -> (attentional
        output float32[batch, hidden], next state, attention weights float32[batch, source])."""
        hs, cs, feed = state
        inp = jnp.concatenate([x, feed], -1) if self.input_feeding else x
        new_h, new_c = [], []
        for i, cell in enumerate(self.cells):
            h, c = kernels.lstm_cell(
                inp,
                hs[:, i],
                cs[:, i],
                cell.w_ih[...].astype(self.dtype),
                cell.w_hh[...].astype(self.dtype),
                cell.b[...],
            )
            new_h.append(h)
            new_c.append(c)
            inp = h
        keys, projected, mask = memory
        context, weights = self.attention(inp, keys, projected, mask)
        out = jnp.tanh(self.combine(jnp.concatenate([context, inp], -1)))
        return out, (jnp.stack(new_h, 1), jnp.stack(new_c, 1), out), weights

    def logits(self, out: jax.Array) -> jax.Array:
        """Attentional outputs float32[..., hidden] -> float32[..., tgt_vocab]."""
        out = self._drop(out)
        kernel = self.tgt_embed.embedding[...].T if self.tie else self.out[...]
        return kernels.dot(out, kernel.astype(self.dtype)) + self.out_bias[...]

    def __call__(
        self, source: jax.Array, source_lengths: jax.Array, target_in: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """Teacher forcing -> (logits [batch, tgt_time, tgt_vocab], attention weights
        [batch, tgt_time, src_time])."""
        memory, state = self.encode(source, source_lengths)
        emb = self._drop(self.tgt_embed(target_in))

        def body(state, x_t):
            out, state, weights = self.step(x_t, state, memory)
            return state, (out, weights)

        # the dropout masks are drawn outside the scan: RNG state cannot change inside it
        _, (outs, weights) = jax.lax.scan(body, state, jnp.swapaxes(emb, 0, 1))
        logits = self.logits(jnp.swapaxes(outs, 0, 1))
        return logits, jnp.swapaxes(weights, 0, 1)
