"""LSTM forecaster: an encoder over the lookback window, then a direct multi-horizon head
or an autoregressive LSTM decoder; point or quantile outputs."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import LSTM, kernels

DECODERS = ("direct", "autoregressive")


class Forecaster(nnx.Module):
    """x: float32[batch, lookback, features] -> float32[batch, horizon, targets, outputs].

    ``targets`` are the first ``targets`` features of x (scaled); ``outputs`` is 1 for a
    point forecast or the number of quantiles. The autoregressive decoder feeds each
    step's point forecast (the median quantile) back as the next step's input; in
    training, ``teacher`` (float32[batch, horizon, targets], the true values) is fed
    instead. ``residual`` forecasts the change from the last observed value, so an
    untrained model starts as the naive forecast and learning can only add to it.
    """

    def __init__(
        self,
        features: int,
        targets: int,
        horizon: int,
        hidden: int,
        num_layers: int = 1,
        *,
        outputs: int = 1,
        decoder: str = "direct",
        residual: bool = True,
        dropout: float = 0.0,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        if decoder not in DECODERS:
            raise ConfigError(f"unknown model.decoder {decoder!r}; choose one of {DECODERS}")
        self.targets, self.horizon, self.outputs, self.decoder = targets, horizon, outputs, decoder
        self.deterministic, self.residual = False, residual
        self.dtype = jnp.dtype(dtype)  # of the matmuls; parameters stay float32
        self.encoder = LSTM(
            features, hidden, num_layers=num_layers, dropout=dropout, dtype=dtype, rngs=rngs
        )
        dense = dict(dtype=dtype, preferred_element_type=jnp.float32, rngs=rngs)
        if decoder == "direct":
            self.head = nnx.Linear(hidden, horizon * targets * outputs, **dense)
        else:
            init = nnx.initializers.lecun_normal()
            self.w_ih = nnx.Param(init(rngs.params(), (targets, 4 * hidden)))
            self.w_hh = nnx.Param(
                nnx.initializers.orthogonal()(rngs.params(), (hidden, 4 * hidden))
            )
            self.b = nnx.Param(jnp.zeros(4 * hidden).at[hidden : 2 * hidden].set(1.0))
            self.head = nnx.Linear(hidden, targets * outputs, **dense)

    def __call__(self, x: jax.Array, teacher: jax.Array | None = None) -> jax.Array:
        last = x[:, -1, : self.targets]
        base = last if self.residual else jnp.zeros_like(last)
        return self._forecast(x, teacher, base) + base[:, None, :, None]

    def _forecast(self, x: jax.Array, teacher: jax.Array | None, base: jax.Array) -> jax.Array:
        b = x.shape[0]
        _, state = self.encoder(x)
        h, c = state.h[-1], state.c[-1]
        if self.decoder == "direct":
            return self.head(h).reshape(b, self.horizon, self.targets, self.outputs)
        w_ih, w_hh = self.w_ih[...].astype(self.dtype), self.w_hh[...].astype(self.dtype)
        bias = self.b[...]
        mid = self.outputs // 2

        def step(carry, given):
            h, c, prev = carry
            h, c = kernels.lstm_cell(prev, h, c, w_ih, w_hh, bias)
            out = self.head(h).reshape(b, self.targets, self.outputs)
            nxt = out[..., mid] + base if given is None else given
            return (h, c, nxt), out

        carry = (h, c, x[:, -1, : self.targets])
        if teacher is None:
            _, outs = jax.lax.scan(lambda cr, _: step(cr, None), carry, None, self.horizon)
        else:
            _, outs = jax.lax.scan(step, carry, jnp.swapaxes(teacher, 0, 1))
        return jnp.swapaxes(outs, 0, 1)
