"""Activation regularisation (AR) and temporal AR (TAR), Merity et al. (2017).

AR keeps the (dropped) outputs small; TAR keeps consecutive raw outputs close, which
penalises a hidden state that jumps between steps.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def activation_reg(dropped: jax.Array, alpha: float) -> jax.Array:
    """dropped: float32[batch, time, features], the last layer's output after dropout."""
    return alpha * jnp.mean(jnp.square(dropped))


def temporal_activation_reg(raw: jax.Array, beta: float) -> jax.Array:
    """raw: float32[batch, time, features], the last layer's output before dropout."""
    return beta * jnp.mean(jnp.square(raw[:, 1:] - raw[:, :-1]))
