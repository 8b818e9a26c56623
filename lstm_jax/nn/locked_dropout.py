"""Locked (variational) dropout: one mask per sequence, reused at every step.

Gal & Ghahramani (2016); AWD-LSTM's ``LockedDropout``. Dropping the same units
at every time step regularises the recurrence without destroying the memory a
fresh per-step mask would erase.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx


def dropout_mask(key: jax.Array, rate: float, shape: tuple[int, ...]) -> jax.Array:
    """float32[shape] of 0 and 1/(1-rate): inverted dropout, so eval needs no rescaling."""
    keep = jax.random.bernoulli(key, 1.0 - rate, shape)
    return keep.astype(jnp.float32) / (1.0 - rate)


class LockedDropout(nnx.Module):
    """x: float[batch, time, features] -> same; the mask is shared along ``time``."""

    def __init__(self, rate: float, *, time_axis: int = 1, rngs: nnx.Rngs | None = None):
        self.rate = rate
        self.time_axis = time_axis
        self.deterministic = False
        self.rngs = rngs.dropout.fork() if rngs is not None else nnx.data(None)

    def __call__(self, x: jax.Array, *, deterministic: bool | None = None) -> jax.Array:
        deterministic = self.deterministic if deterministic is None else deterministic
        if deterministic or self.rate == 0.0:
            return x
        shape = list(x.shape)
        shape[self.time_axis] = 1
        return x * dropout_mask(self.rngs(), self.rate, tuple(shape)).astype(x.dtype)
