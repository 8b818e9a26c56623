"""LSTM, GRU and SimpleRNN: thin Flax NNX modules over ``lstm_jax.nn.kernels``.

All three share one interface::

    layer = LSTM(in_features, hidden_features, num_layers=2, bidirectional=True, rngs=nnx.Rngs(0))
    outputs, final_state = layer(x, lengths=None, initial_state=None)

* ``x: float32[batch, time, in_features]`` (``[time, batch, ...]`` with ``time_major=True``).
* ``lengths: int[batch]`` for right-padded batches: outputs past each sequence's end are
  zero, the final state is the state at the last valid step, and the reverse direction
  of a bidirectional layer runs over the valid steps only.
* ``outputs: [batch, time, out * D]`` where ``D = 2`` if bidirectional else 1 and
  ``out = proj_features or hidden_features``.
* ``final_state`` uses ``torch.nn.LSTM``'s layout, index ``layer * D + direction``:
  LSTM: ``LSTMState(h=float32[L * D, batch, out], c=float32[L * D, batch, hidden])``;
  GRU and SimpleRNN: ``h = float32[L * D, batch, hidden]``.
  ``initial_state`` takes the same structure back (``(h, c)`` tuples are accepted).

Parameters per layer and direction live in ``layer.cells[layer * D + direction]``:
``input_kernel [in, G*H]``, ``recurrent_kernel [out, G*H]``, ``bias [G*H]`` (one bias
for LSTM and SimpleRNN, the sum of torch's two), GRU's ``recurrent_bias [3H]``,
LSTMP's ``proj_kernel [H, P]``, and layer-norm scales (``cell_params``). Gate order: see
``kernels``. The stacking, state and dropout machinery is ``recurrent_base._Recurrent``.

Dropout (all inverted, all off when ``deterministic``; masks from the ``dropout`` RNG stream):
``dropout`` between stacked layers (torch semantics; ``variational=True`` locks its mask
across time as AWD-LSTM's ``dropouth``), and locked masks for ``input_dropout`` (first
layer's input), ``recurrent_dropout`` (h_{t-1} before the recurrent matmul, Gal &
Ghahramani), ``output_dropout`` (last layer's output), plus ``weight_drop`` (DropConnect
on every recurrent kernel, one mask per call).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import cudnn, kernels
from lstm_jax.nn.recurrent_base import LSTMState, _Recurrent

# LSTMState is re-exported: callers import it from here and from ``lstm_jax.nn``
__all__ = ["GRU", "LSTM", "LSTMState", "SimpleRNN"]

Array = jax.Array


def _value(p: nnx.Param | None) -> Array | None:
    return None if p is None else p[...]


class LSTM(_Recurrent):
    """Multi-layer, optionally bidirectional LSTM (gates i, f, g, o).

    ``c_t = σ(f) c_{t-1} + σ(i) tanh(g)``, ``h_t = σ(o) tanh(c_t)`` with
    ``[i f g o] = x_t W_ih + h_{t-1} W_hh + b``. The forget-gate bias starts at
    ``forget_bias`` (1.0, Jozefowicz et al. 2015; ``None`` keeps ``bias_init``).
    ``layer_norm=True`` normalises each gate's input and recurrent pre-activations and
    the cell before its tanh (Ba et al. 2016). ``remat=True`` stores only h and c for the
    backward pass and recomputes the gates there (less memory for long sequences).
    ``proj_features=P`` adds LSTMP's output
    projection ``h_t = (σ(o) tanh(c_t)) W_hr`` (torch's ``proj_size``).
    ``dtype=jnp.bfloat16`` runs the matmuls in bfloat16; parameters, gates and the cell
    state stay float32. ``backend``: "scan" (ours, every device), "cudnn" (cuDNN through
    ``jax.experimental.rnn``, CUDA GPUs; same parameters, same function, see ``cudnn.py``)
    or "auto" (cuDNN on a GPU unless layer norm, a projection, recurrent dropout or
    bfloat16 rule it out, which it then says in one line). See the module docstring for
    the call interface.
    """

    num_gates = 4
    has_cell = True

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        *,
        forget_bias: float | None = 1.0,
        layer_norm: bool = False,
        proj_features: int | None = None,
        remat: bool = False,
        backend: str = "auto",
        **kwargs: Any,
    ):
        if proj_features is not None and (
            not isinstance(proj_features, int) or not 0 < proj_features < hidden_features
        ):
            raise ConfigError(
                f"LSTM: proj_features must be an int in (0, hidden_features={hidden_features}), "
                f"got {proj_features!r}"
            )
        self.layer_norm = layer_norm
        self.remat = remat
        super().__init__(
            in_features,
            hidden_features,
            _out_features=proj_features,
            _cell_kwargs=dict(
                proj=proj_features is not None,
                layer_norm=layer_norm,
                forget_bias=forget_bias,
            ),
            **kwargs,
        )
        self.backend = _choose_backend(backend, self)

    def _run_layer(self, layer, h, state, lengths, mask, train):
        if self.backend != "cudnn":
            return super()._run_layer(layer, h, state, lengths, mask, train)
        # both directions in one cuDNN call; weight drop's masks drawn as the scan draws them
        d = self.num_directions
        cells = [self.cells[layer * d + i] for i in range(d)]
        weights = cudnn.pack(
            [(c.input_kernel[...], self._recurrent_kernel(c, train), _value(c.bias)) for c in cells]
        )
        time, batch = h.shape[0], h.shape[1]
        seq = jnp.full((batch,), time, jnp.int32) if lengths is None else lengths
        h0, c0 = (s[layer * d : (layer + 1) * d] for s in state)
        y, hn, cn = cudnn.KERNEL["lstm"](
            jnp.swapaxes(h, 0, 1),
            h0,
            c0,
            weights,
            seq,
            h.shape[-1],
            self.hidden_features,
            1,
            d == 2,
        )
        return jnp.swapaxes(y, 0, 1), [(hn[i], cn[i]) for i in range(d)]

    def _run_cell(self, cell, x, state, mask, rec_mask, w_hh):
        if cell.proj_kernel is None and cell.ln_input_scale is None:
            return kernels.lstm_fused(
                x.astype(self.dtype),
                cell.input_kernel[...].astype(self.dtype),
                _value(cell.bias),
                w_hh,
                state[0],
                state[1],
                mask,
                rec_mask,
                self.unroll,
                self.remat,
            )
        w_hr = None if cell.proj_kernel is None else cell.proj_kernel[...].astype(self.dtype)
        ys, (h, c) = kernels.lstm_scan(
            self._project_input(cell, x),
            w_hh,
            state[0],
            state[1],
            mask,
            w_hr=w_hr,
            recurrent_mask=rec_mask,
            ln_hh_scale=_value(cell.ln_recurrent_scale),
            ln_c_scale=_value(cell.ln_cell_scale),
            ln_c_bias=_value(cell.ln_cell_bias),
            unroll=self.unroll,
        )
        return ys, (h, c)


BACKENDS = ("auto", "scan", "cudnn")


def _choose_backend(backend: str, layer: LSTM) -> str:
    """ "scan" (ours, every device) or "cudnn" (jax.experimental.rnn on a CUDA GPU).

    "auto" takes cuDNN on a GPU when it computes exactly this layer, and otherwise says
    once why not; an explicit "cudnn" that cannot run is an error."""
    if backend not in BACKENDS:
        raise ConfigError(f"LSTM: unknown backend {backend!r}; choose one of {BACKENDS}")
    if backend == "scan":
        return "scan"
    why = cudnn.unsupported(
        layer_norm=layer.layer_norm,
        proj=layer.out_features != layer.hidden_features,
        recurrent_dropout=layer.recurrent_dropout,
        dtype=layer.dtype,
    )
    gpu = cudnn.gpu_available()
    if backend == "cudnn" and (why or not gpu):
        why = why or f"it needs a CUDA GPU and jax runs on {jax.default_backend()!r}"
        raise ConfigError(f"LSTM: backend='cudnn' cannot run this layer: {why}; use 'auto'")
    if backend == "auto" and gpu and why:
        _say_once(f"LSTM: the scan kernel, not cuDNN, runs this layer: {why}")
    return "cudnn" if gpu and not why else "scan"


@functools.cache
def _say_once(line: str) -> None:
    print(line, flush=True)


class GRU(_Recurrent):
    """Multi-layer, optionally bidirectional GRU with ``torch.nn.GRU``'s equations (gates r, z, n).

    ``n = tanh(x W_in + b_in + r (h W_hn + b_hn))``, ``h' = (1 - z) n + z h``; the
    recurrent bias (``recurrent_bias``) is separate because the reset gate scales it.
    """

    num_gates = 3
    separate_recurrent_bias = True

    def _run_cell(self, cell, x, state, mask, rec_mask, w_hh):
        xw = self._project_input(cell, x)
        b_hh = (
            jnp.zeros((w_hh.shape[-1],), jnp.float32)
            if cell.recurrent_bias is None
            else cell.recurrent_bias[...]
        )
        return kernels.gru_scan(
            xw, w_hh, b_hh, state, mask, recurrent_mask=rec_mask, unroll=self.unroll
        )


class SimpleRNN(_Recurrent):
    """Multi-layer, optionally bidirectional Elman RNN ``h' = act(x W_ih + h W_hh + b)``.

    ``activation`` is ``"tanh"`` (default) or ``"relu"``, as in ``torch.nn.RNN``.
    """

    num_gates = 1

    def __init__(
        self, in_features: int, hidden_features: int, *, activation: str = "tanh", **kwargs: Any
    ):
        acts = {"tanh": jnp.tanh, "relu": jax.nn.relu}
        if activation not in acts:
            raise ConfigError(
                f"SimpleRNN: activation must be one of {sorted(acts)}, got {activation!r}"
            )
        self.activation = activation
        super().__init__(in_features, hidden_features, **kwargs)

    def _run_cell(self, cell, x, state, mask, rec_mask, w_hh):
        xw = self._project_input(cell, x)
        act = jnp.tanh if self.activation == "tanh" else jax.nn.relu
        return kernels.rnn_scan(
            xw, w_hh, state, mask, activation=act, recurrent_mask=rec_mask, unroll=self.unroll
        )
