"""The LSTM language model of Zaremba et al. (2014) and AWD-LSTM (Merity et al. 2017).

Embedding -> stacked recurrent layers, each its own size (``cell``: LSTM, or GRU / tanh
RNN as in pytorch/examples' word_language_model) -> softmax over the vocabulary,
optionally tied to the embedding. Dropout sites follow AWD-LSTM's names: ``embed_dropout``
(whole word types), ``input_dropout`` (embedding output), ``hidden_dropout`` (between
layers), ``output_dropout`` (last layer's output), ``weight_drop`` (recurrent kernels).
``variational=True`` locks each mask across time (AWD); False draws one per step (Zaremba).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import GRU, LSTM, SimpleRNN, kernels
from lstm_jax.nn.embedding_dropout import embedding_dropout
from lstm_jax.nn.locked_dropout import dropout_mask

# per layer (h, c) for LSTM, (h,) for GRU and RNN: float32[batch, hidden_l]
State = tuple[tuple[jax.Array, ...], ...]
CELLS = {"lstm": LSTM, "gru": GRU, "rnn": SimpleRNN}


def _uniform(scale: float):
    return lambda key, shape, dtype=jnp.float32: jax.random.uniform(
        key, shape, dtype, -scale, scale
    )


def layer_sizes(
    embed: int, hidden: int, num_layers: int, tie: bool, proj: int = 0
) -> list[tuple[int, int]]:
    """(cell, output) features per layer: ``hidden`` cells, outputs projected to ``proj``
    if set (LSTMP); a tied model's last layer outputs ``embed`` features."""
    sizes = [(hidden, proj or hidden) for _ in range(num_layers)]
    if tie:
        sizes[-1] = (hidden, embed) if proj else (embed, embed)
    return sizes


def zero_state(sizes: list[tuple[int, int]], batch: int, cell: str = "lstm") -> State:
    """Zeros per layer: (h float32[batch, out], c float32[batch, hidden]) for LSTM, (h,) else."""
    if cell == "lstm":
        return tuple((jnp.zeros((batch, o)), jnp.zeros((batch, s))) for s, o in sizes)
    return tuple((jnp.zeros((batch, s)),) for s, _ in sizes)


class LanguageModel(nnx.Module):
    """tokens: int32[batch, time], state -> logits float32[batch, time, vocab], state, aux.

    ``aux = (raw, dropped)``: the last layer's output before and after output dropout,
    float32[batch, time, features], for AR and TAR. Layer sizes: ``layer_sizes``; with
    ``tie`` the last layer outputs ``embed`` features (AWD-LSTM).
    ``init_scale > 0`` draws every weight from U(-s, s) (Zaremba); 0 uses PyTorch's
    defaults (embedding and decoder U(-0.1, 0.1), LSTM U(-1/sqrt(H), 1/sqrt(H))).
    ``dtype=jnp.bfloat16`` runs the recurrent and softmax matmuls in bfloat16 with float32
    accumulation; parameters, the LSTM state and the logits stay float32. ``backend``: the
    LSTM layers' (``LSTM``: "auto" takes cuDNN on a GPU where it can).
    """

    def __init__(
        self,
        vocab: int,
        embed: int,
        hidden: int,
        num_layers: int,
        *,
        tie: bool = False,
        proj: int = 0,
        variational: bool = False,
        embed_dropout: float = 0.0,
        input_dropout: float = 0.0,
        hidden_dropout: float = 0.0,
        output_dropout: float = 0.0,
        weight_drop: float = 0.0,
        init_scale: float = 0.0,
        forget_bias: float | None = None,
        cell: str = "lstm",
        dtype: Any = jnp.float32,
        backend: str = "auto",
        rngs: nnx.Rngs,
    ):
        if cell not in CELLS:
            raise ConfigError(f"unknown model.cell {cell!r}; choose one of {sorted(CELLS)}")
        if cell != "lstm" and (proj or forget_bias is not None):
            raise ConfigError(
                "model.proj_features and model.forget_bias are LSTM options; "
                f"set them to 0 for model.cell={cell!r}"
            )
        self.cell = cell
        self.dtype = jnp.dtype(dtype)
        self.vocab, self.tie, self.variational = vocab, tie, variational
        self.embed_dropout, self.input_dropout = embed_dropout, input_dropout
        self.hidden_dropout, self.output_dropout = hidden_dropout, output_dropout
        self.deterministic = False
        self.embed = nnx.Embed(vocab, embed, embedding_init=_uniform(init_scale or 0.1), rngs=rngs)
        sizes = layer_sizes(embed, hidden, num_layers, tie, proj)
        layers = []
        for i, (size, out) in enumerate(sizes):
            init = _uniform(init_scale or 1.0 / math.sqrt(size))
            lstm_only = (
                {
                    "proj_features": out if out != size else None,
                    "forget_bias": forget_bias,
                    "backend": backend,
                }
                if cell == "lstm"
                else {}
            )
            layers.append(
                CELLS[cell](
                    embed if i == 0 else sizes[i - 1][1],
                    size,
                    weight_drop=weight_drop,
                    kernel_init=init,
                    recurrent_kernel_init=init,
                    bias_init=init,
                    dtype=self.dtype,
                    rngs=rngs,
                    **lstm_only,
                )
            )
        self.layers = nnx.List(layers)
        self.sizes = tuple(sizes)
        dec_init = _uniform(init_scale or 0.1)
        self.decoder = None if tie else nnx.Param(dec_init(rngs.params(), (sizes[-1][1], vocab)))
        self.decoder_bias = nnx.Param(
            _uniform(init_scale)(rngs.params(), (vocab,)) if init_scale else jnp.zeros(vocab)
        )
        self.rngs = rngs.dropout.fork()

    def zero_state(self, batch: int) -> State:
        return zero_state(self.sizes, batch, self.cell)

    def _drop(self, x: jax.Array, rate: float) -> jax.Array:
        if self.deterministic or not rate:
            return x
        shape = (x.shape[0], 1, x.shape[2]) if self.variational else x.shape
        return x * dropout_mask(self.rngs(), rate, shape)

    def __call__(self, tokens: jax.Array, state: State) -> tuple[jax.Array, State, Any]:
        table = self.embed.embedding[...]
        if self.embed_dropout and not self.deterministic:
            table = embedding_dropout(table, self.embed_dropout, self.rngs())
        x = self._drop(jnp.take(table, tokens, axis=0), self.input_dropout)
        new_state = []
        for i, layer in enumerate(self.layers):
            init = tuple(a[None] for a in state[i])
            x, final = layer(
                x,
                initial_state=init if self.cell == "lstm" else init[0],
                deterministic=self.deterministic,
            )
            new_state.append((final.h[0], final.c[0]) if self.cell == "lstm" else (final[0],))
            if i < len(self.layers) - 1:
                x = self._drop(x, self.hidden_dropout)
        raw, dropped = x, self._drop(x, self.output_dropout)
        # the output side never sees embedding dropout (as in AWD-LSTM)
        kernel = self.embed.embedding[...].T if self.tie else self.decoder[...]
        # in the compute dtype, accumulated and returned in float32 for the softmax
        logits = kernels.dot(dropped, kernel.astype(self.dtype)) + self.decoder_bias[...]
        return logits, tuple(new_state), (raw, dropped)
