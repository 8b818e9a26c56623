"""The parameters of one layer and direction of a recurrent layer (``layer.cells[i]``).

With ``G`` gates, ``H = hidden_features`` and ``out = proj_features or H``:
``input_kernel [in, G*H]``, ``recurrent_kernel [out, G*H]``, ``bias [G*H]`` (one bias for
LSTM and SimpleRNN, the sum of torch's two), GRU's ``recurrent_bias [G*H]``, LSTMP's
``proj_kernel [H, out]``, and the layer-norm scales ``ln_input_scale``/``ln_recurrent_scale
[G*H]``, ``ln_cell_scale``/``ln_cell_bias [H]``. Absent parameters are ``None``.
Gate order: see ``kernels``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

Initializer = Callable[..., jax.Array]


class _CellParams(nnx.Module):
    """Parameters of one layer and direction."""

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        num_gates: int,
        *,
        use_bias: bool,
        recurrent_bias: bool,
        proj: bool,
        layer_norm: bool,
        forget_bias: float | None,
        kernel_init: Initializer,
        recurrent_kernel_init: Initializer,
        bias_init: Initializer,
        param_dtype: Any,
        rngs: nnx.Rngs,
    ):
        g = num_gates * hidden_features
        self.input_kernel = nnx.Param(kernel_init(rngs.params(), (in_features, g), param_dtype))
        self.recurrent_kernel = nnx.Param(
            recurrent_kernel_init(rngs.params(), (out_features, g), param_dtype)
        )
        none = nnx.data(None)
        bias = None
        if use_bias:
            bias = bias_init(rngs.params(), (g,), param_dtype)
            if forget_bias is not None:
                bias = bias.at[hidden_features : 2 * hidden_features].add(forget_bias)
        self.bias = nnx.Param(bias) if use_bias else none
        self.recurrent_bias = (
            nnx.Param(bias_init(rngs.params(), (g,), param_dtype))
            if use_bias and recurrent_bias
            else none
        )
        self.proj_kernel = (
            nnx.Param(kernel_init(rngs.params(), (hidden_features, out_features), param_dtype))
            if proj
            else none
        )
        ln = layer_norm
        self.ln_input_scale = nnx.Param(jnp.ones((g,), param_dtype)) if ln else none
        self.ln_recurrent_scale = nnx.Param(jnp.ones((g,), param_dtype)) if ln else none
        self.ln_cell_scale = nnx.Param(jnp.ones((hidden_features,), param_dtype)) if ln else none
        self.ln_cell_bias = nnx.Param(jnp.zeros((hidden_features,), param_dtype)) if ln else none
