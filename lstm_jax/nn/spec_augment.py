"""SpecAugment's masking (Park et al. 2019): bands of features and spans of frames set to 0.

On normalized features 0 is the training mean, as in the paper's masking to the mean.
Time warping is left out (the paper found it the least useful of the three).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

Array = jax.Array


def _bands(key: Array, count: int, width: int, size: Array, n: int, batch: int) -> Array:
    """bool[batch, n]: per row, ``count`` bands of 0..``width`` positions each, starting
    uniformly where they fit within the row's ``size`` (float32[batch]) positions."""
    k_w, k_s = jax.random.split(key)
    w = jnp.floor(jax.random.uniform(k_w, (batch, count)) * (width + 1))
    w = jnp.minimum(w, size[:, None])
    start = jnp.floor(jax.random.uniform(k_s, (batch, count)) * (size[:, None] - w + 1))
    pos = jnp.arange(n)[None, None, :]
    inside = (pos >= start[..., None]) & (pos < (start + w)[..., None])
    return jnp.any(inside, axis=1)


def spec_augment(
    key: Array,
    x: Array,
    lengths: Array,
    freq_masks: int = 2,
    freq_width: int = 8,
    time_masks: int = 2,
    time_width: int = 10,
) -> Array:
    """x: float32[batch, time, features], lengths: int[batch] -> x with ``freq_masks``
    feature bands (each up to ``freq_width`` wide) and ``time_masks`` frame spans (each up
    to ``time_width`` frames, within each row's length) zeroed, drawn per row."""
    b, t, f = x.shape
    k_f, k_t = jax.random.split(key)
    keep = jnp.ones((b, t, f), bool)
    if freq_masks and freq_width:
        band = _bands(k_f, freq_masks, freq_width, jnp.full((b,), float(f)), f, b)
        keep &= ~band[:, None, :]
    if time_masks and time_width:
        span = _bands(k_t, time_masks, time_width, lengths.astype(jnp.float32), t, b)
        keep &= ~span[:, :, None]
    return jnp.where(keep, x, jnp.zeros((), x.dtype))
