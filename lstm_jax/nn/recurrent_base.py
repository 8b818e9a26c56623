"""The driver shared by LSTM, GRU and SimpleRNN (``lstm_jax.nn.recurrent``).

``_Recurrent`` checks the arguments, builds one ``_CellParams`` per layer and direction,
and runs the stack: time-major layout, zero or given initial state (``LSTMState`` for
LSTM), right-padded ``lengths`` (the reverse direction runs over the valid steps only),
and every dropout site. Subclasses set ``num_gates`` and supply ``_run_cell``, the scan of
one layer and direction over ``xw: float32[time, batch, G*H]``. The call interface and
the dropout semantics are described in ``lstm_jax.nn.recurrent``.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lstm_jax.errors import ConfigError, ShapeError
from lstm_jax.nn import kernels
from lstm_jax.nn.cell_params import Initializer, _CellParams
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.nn.weight_drop import drop_connect

Array = jax.Array


class LSTMState(NamedTuple):
    """h: float32[layers * dirs, batch, out]; c: float32[layers * dirs, batch, hidden]."""

    h: Array
    c: Array


def _is_concrete(x: Any) -> bool:
    return not isinstance(x, jax.core.Tracer)


class _Recurrent(nnx.Module):
    """Shared multi-layer, bidirectional, variable-length driver."""

    num_gates: ClassVar[int]
    has_cell: ClassVar[bool] = False
    # GRU's reset gate scales h W_hn + b_hn, so its recurrent bias cannot be folded into
    # ``bias`` and is kept as its own parameter
    separate_recurrent_bias: ClassVar[bool] = False
    _torch_name: ClassVar[str]

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        *,
        num_layers: int = 1,
        bidirectional: bool = False,
        use_bias: bool = True,
        time_major: bool = False,
        dropout: float = 0.0,
        variational: bool = False,
        input_dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        output_dropout: float = 0.0,
        weight_drop: float = 0.0,
        unroll: int = 1,
        dtype: Any = None,
        param_dtype: Any = jnp.float32,
        kernel_init: Initializer = nnx.initializers.lecun_normal(),
        recurrent_kernel_init: Initializer = nnx.initializers.orthogonal(),
        bias_init: Initializer = nnx.initializers.zeros_init(),
        deterministic: bool = False,
        rngs: nnx.Rngs,
        _out_features: int | None = None,
        _cell_kwargs: dict[str, Any] | None = None,
    ):
        name = type(self).__name__
        for key, v in (
            ("in_features", in_features),
            ("hidden_features", hidden_features),
            ("num_layers", num_layers),
            ("unroll", unroll),
        ):
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ConfigError(f"{name}: {key} must be a positive int, got {v!r}")
        for key, v in (
            ("dropout", dropout),
            ("input_dropout", input_dropout),
            ("recurrent_dropout", recurrent_dropout),
            ("output_dropout", output_dropout),
            ("weight_drop", weight_drop),
        ):
            if not isinstance(v, int | float) or not 0.0 <= v < 1.0:
                raise ConfigError(f"{name}: {key} must be in [0, 1), got {v!r}")
        self.in_features = in_features
        self.hidden_features = hidden_features
        self.out_features = _out_features or hidden_features
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.time_major = time_major
        self.dropout = float(dropout)
        self.variational = variational
        self.input_dropout = float(input_dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.output_dropout = float(output_dropout)
        self.weight_drop = float(weight_drop)
        self.unroll = unroll
        self.dtype = jnp.float32 if dtype is None else jnp.dtype(dtype)
        self.deterministic = deterministic
        # the options only LSTM changes (it passes its own through _cell_kwargs)
        cell_kwargs = dict(
            recurrent_bias=self.separate_recurrent_bias,
            proj=False,
            layer_norm=False,
            forget_bias=None,
        )
        cell_kwargs.update(_cell_kwargs or {})
        cells = []
        for layer in range(num_layers):
            layer_in = in_features if layer == 0 else self.out_features * self.num_directions
            for _ in range(self.num_directions):
                cells.append(
                    _CellParams(
                        layer_in,
                        hidden_features,
                        self.out_features,
                        self.num_gates,
                        use_bias=use_bias,
                        kernel_init=kernel_init,
                        recurrent_kernel_init=recurrent_kernel_init,
                        bias_init=bias_init,
                        param_dtype=param_dtype,
                        rngs=rngs,
                        **cell_kwargs,
                    )
                )
        self.cells = nnx.List(cells)
        any_dropout = dropout or input_dropout or recurrent_dropout or output_dropout or weight_drop
        self.rngs = rngs.dropout.fork() if any_dropout else nnx.data(None)

    # -- per-cell recurrence (subclasses) -------------------------------------------------
    def _run_cell(
        self,
        cell: _CellParams,
        xw: Array,
        state: Any,
        mask: Array | None,
        rec_mask: Array | None,
        w_hh: Array,
    ) -> tuple[Array, Any]:
        raise NotImplementedError

    def _project_input(self, cell: _CellParams, x: Array) -> Array:
        """x: [T, B, F] -> float32[T, B, G*H], the input GEMM for all steps at once."""
        w = cell.input_kernel[...].astype(self.dtype)
        xw = jnp.dot(x.astype(self.dtype), w, preferred_element_type=jnp.float32)
        if cell.ln_input_scale is not None:
            xw = kernels.gate_layer_norm(xw, cell.ln_input_scale[...], self.num_gates)
        if cell.bias is not None:
            xw = xw + cell.bias[...]
        return xw

    # -- state structure ------------------------------------------------------------------
    def _zero_state(self, batch: int) -> Any:
        n = self.num_layers * self.num_directions
        h = jnp.zeros((n, batch, self.out_features), jnp.float32)
        if self.has_cell:
            return LSTMState(h, jnp.zeros((n, batch, self.hidden_features), jnp.float32))
        return h

    def _check_state(self, state: Any, batch: int) -> Any:
        name = type(self).__name__
        n = self.num_layers * self.num_directions
        want_h = (n, batch, self.out_features)
        if self.has_cell:
            want_c = (n, batch, self.hidden_features)
            if not (isinstance(state, tuple) and len(state) == 2):
                raise ShapeError(
                    f"{name}: initial_state must be LSTMState(h, c) or a tuple (h {want_h}, "
                    f"c {want_c}), got {type(state).__name__}"
                )
            h, c = state
            for label, arr, want in (("h", h, want_h), ("c", c, want_c)):
                if getattr(arr, "shape", None) != want:
                    raise ShapeError(
                        f"{name}: initial_state.{label} must have shape {want} "
                        f"[layers * directions, batch, features], got {getattr(arr, 'shape', arr)}"
                    )
            return LSTMState(jnp.asarray(h, jnp.float32), jnp.asarray(c, jnp.float32))
        if getattr(state, "shape", None) != want_h:
            raise ShapeError(
                f"{name}: initial_state must be an array of shape {want_h} "
                f"[layers * directions, batch, hidden], got {getattr(state, 'shape', type(state))}"
            )
        return jnp.asarray(state, jnp.float32)

    def _check_lengths(self, lengths: Any, batch: int, time: int) -> Array | None:
        name = type(self).__name__
        if lengths is None:
            return None
        lengths = jnp.asarray(lengths)
        if lengths.shape != (batch,):
            raise ShapeError(
                f"{name}: lengths must have shape (batch,) = ({batch},), got {lengths.shape}"
            )
        if not jnp.issubdtype(lengths.dtype, jnp.integer):
            raise ShapeError(f"{name}: lengths must be integers, got dtype {lengths.dtype}")
        if _is_concrete(lengths):
            # NumPy, not jnp: under jit a closed-over constant is concrete, but jnp ops on
            # it are traced and cannot be read back
            values = np.asarray(lengths)
            lo, hi = int(values.min()), int(values.max())
            if lo < 0:
                raise ShapeError(f"{name}: lengths must be >= 0, got a minimum of {lo}")
            if hi > time:
                raise ShapeError(
                    f"{name}: lengths must be <= the time axis ({time}), got a maximum of {hi}"
                )
        return lengths.astype(jnp.int32)

    def _recurrent_kernel(self, cell: _CellParams, train: bool) -> Array:
        """W_hh, with weight drop's mask in training (one draw per call)."""
        w_hh = cell.recurrent_kernel[...]
        if train and self.weight_drop:
            w_hh = drop_connect(w_hh, self.weight_drop, self.rngs())
        return w_hh

    def _run_layer(
        self, layer: int, h: Array, state: Any, lengths: Array | None, mask, train: bool
    ) -> tuple[Array, list]:
        """One layer, every direction: h [T, B, F] -> (outputs [T, B, D * out], the final
        state of each direction)."""
        batch = h.shape[1]
        outs, final = [], []
        for d in range(self.num_directions):
            idx = layer * self.num_directions + d
            cell = self.cells[idx]
            w_hh = self._recurrent_kernel(cell, train)
            rec_mask = None
            if train and self.recurrent_dropout:
                rec_mask = dropout_mask(
                    self.rngs(), self.recurrent_dropout, (batch, self.out_features)
                )
            inp = h if d == 0 else kernels.reverse_padded(h, lengths)
            cell_state = jax.tree.map(lambda s, i=idx: s[i], state)
            ys, fin = self._run_cell(cell, inp, cell_state, mask, rec_mask, w_hh.astype(self.dtype))
            if d == 1:
                ys = kernels.reverse_padded(ys, lengths)
            outs.append(ys)
            final.append(fin)
        return (outs[0] if len(outs) == 1 else jnp.concatenate(outs, axis=-1)), final

    # -- forward --------------------------------------------------------------------------
    def __call__(
        self,
        x: Array,
        lengths: Array | None = None,
        initial_state: Any = None,
        *,
        deterministic: bool | None = None,
    ) -> tuple[Array, Any]:
        """x: float[batch, time, in] ([time, batch, in] if time_major) -> (outputs, final_state)."""
        name = type(self).__name__
        x = jnp.asarray(x)
        if x.ndim != 3:
            axes = "[time, batch, features]" if self.time_major else "[batch, time, features]"
            raise ShapeError(
                f"{name}: x must have rank 3 {axes}, got shape {x.shape}; "
                "add a batch axis with x[None] for a single sequence"
            )
        if x.shape[-1] != self.in_features:
            raise ShapeError(
                f"{name}: x has {x.shape[-1]} features but the layer was built with "
                f"in_features={self.in_features}"
            )
        if not self.time_major:
            x = jnp.swapaxes(x, 0, 1)
        time, batch = x.shape[0], x.shape[1]
        lengths = self._check_lengths(lengths, batch, time)
        state = (
            self._zero_state(batch)
            if initial_state is None
            else self._check_state(initial_state, batch)
        )
        deterministic = self.deterministic if deterministic is None else deterministic
        train = not deterministic and self.rngs is not None
        mask = kernels.time_mask(lengths, time)

        def locked(rate: float, h: Array) -> Array:
            if not train or rate == 0.0:
                return h
            return h * dropout_mask(self.rngs(), rate, (1, *h.shape[1:])).astype(h.dtype)

        h = locked(self.input_dropout, x)
        final = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout and train:
                if self.variational:
                    h = locked(self.dropout, h)
                else:
                    h = h * dropout_mask(self.rngs(), self.dropout, h.shape).astype(h.dtype)
            h, fins = self._run_layer(layer, h, state, lengths, mask, train)
            final += fins
        h = locked(self.output_dropout, h)
        final_state = jax.tree.map(lambda *s: jnp.stack(s), *final)
        if self.has_cell:
            final_state = LSTMState(*final_state)
        outputs = h.astype(self.dtype)
        if not self.time_major:
            outputs = jnp.swapaxes(outputs, 0, 1)
        return outputs, final_state
