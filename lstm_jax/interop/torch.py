"""PyTorch interop: ``torch.nn.LSTM`` / ``GRU`` / ``RNN`` state dicts <-> our layers.

torch keeps ``weight_ih_l{k}[_reverse]: [G*H, in]``, ``weight_hh_l{k}: [G*H, out]``, two
biases ``bias_ih``/``bias_hh: [G*H]`` and LSTMP's ``weight_hr_l{k}: [out, H]``, gates in
the same order as ours. We store transposed kernels and, for LSTM and RNN, one bias (the
sum of torch's two), so an exported state dict carries the whole bias in ``bias_ih`` and
zeros in ``bias_hh``: outputs match exactly, the split between the two does not matter.

torch is imported only to read ``.pt`` files and to build tensors for export; the package
never needs it otherwise. Files are read with ``torch.load(weights_only=True)`` or
safetensors, never an unrestricted unpickle, so a downloaded checkpoint cannot run code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from lstm_jax.errors import CheckpointError
from lstm_jax.nn.recurrent import GRU, LSTM, SimpleRNN, _Recurrent

StateDict = Mapping[str, Any]


def _to_numpy(v: Any) -> np.ndarray:
    if hasattr(v, "detach"):  # a torch tensor, without importing torch
        v = v.detach().cpu().numpy()
    return np.asarray(v)


def _read(source: StateDict | str | os.PathLike) -> dict[str, np.ndarray]:
    if isinstance(source, Mapping):
        return {k: _to_numpy(v) for k, v in source.items()}
    path = os.fspath(source)
    if not os.path.isfile(path):
        raise CheckpointError(f"state dict file not found: {path}")
    if path.endswith(".safetensors"):
        from safetensors.numpy import load_file

        return dict(load_file(path))
    try:
        import torch
    except ImportError as e:
        raise CheckpointError(
            f"reading {path} needs PyTorch: pip install 'lstm_jax[peers]', "
            "or save the weights as .safetensors"
        ) from e
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch's own unpickling refusal or a corrupt file
        raise CheckpointError(
            f"cannot read {path} as a weights-only torch file ({type(e).__name__}); "
            "save it with torch.save(module.state_dict(), path)"
        ) from e
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{path} holds a {type(obj).__name__}, not a state dict")
    return {k: _to_numpy(v) for k, v in obj.items()}


def _expected(layer: _Recurrent) -> dict[str, tuple[tuple[int, ...], Any, str]]:
    """torch key -> (torch shape, cell, our attribute)."""
    out: dict[str, tuple[tuple[int, ...], Any, str]] = {}
    g = layer.num_gates * layer.hidden_features
    for k in range(layer.num_layers):
        for d in range(layer.num_directions):
            cell = layer.cells[k * layer.num_directions + d]
            sfx = f"l{k}" + ("_reverse" if d else "")
            in_f = cell.input_kernel.shape[0]
            out[f"weight_ih_{sfx}"] = ((g, in_f), cell, "input_kernel")
            out[f"weight_hh_{sfx}"] = ((g, layer.out_features), cell, "recurrent_kernel")
            if cell.bias is not None:
                out[f"bias_ih_{sfx}"] = ((g,), cell, "bias")
                out[f"bias_hh_{sfx}"] = ((g,), cell, "recurrent_bias")
            if getattr(cell, "proj_kernel", None) is not None:
                out[f"weight_hr_{sfx}"] = (
                    (layer.out_features, layer.hidden_features),
                    cell,
                    "proj_kernel",
                )
    return out


def _check_kind(layer: _Recurrent, kind: type) -> None:
    if type(layer) is not kind:
        raise CheckpointError(f"expected an lstm_jax {kind.__name__}, got {type(layer).__name__}")
    if getattr(layer, "layer_norm", False):
        raise CheckpointError(
            "torch.nn.LSTM has no layer normalisation; build the layer with layer_norm=False"
        )


def _load(layer: _Recurrent, kind: type, source: StateDict | str | os.PathLike) -> None:
    _check_kind(layer, kind)
    sd = _read(source)
    want = _expected(layer)
    missing = [k for k in want if k not in sd]
    unexpected = [k for k in sd if k not in want]
    if missing:
        raise CheckpointError(
            f"state dict is missing key {missing[0]!r} ({len(missing)} missing); it does not fit "
            f"{type(layer).__name__}(num_layers={layer.num_layers}, "
            f"bidirectional={layer.bidirectional}, use_bias={layer.cells[0].bias is not None})"
        )
    if unexpected:
        raise CheckpointError(
            f"state dict has unexpected key {unexpected[0]!r} ({len(unexpected)} unexpected); "
            f"it does not fit {type(layer).__name__}(num_layers={layer.num_layers}, "
            f"bidirectional={layer.bidirectional}, use_bias={layer.cells[0].bias is not None})"
        )
    for key, (shape, _, _) in want.items():
        if tuple(sd[key].shape) != shape:
            raise CheckpointError(
                f"state dict key {key!r} has shape {tuple(sd[key].shape)}, the layer needs {shape}"
            )
    for key, (_, cell, attr) in want.items():
        if attr == "recurrent_bias" and kind is not GRU:
            continue  # folded into "bias" below
        value = sd[key]
        if attr == "bias" and kind is not GRU:
            value = value + sd[key.replace("bias_ih", "bias_hh")]
        param = getattr(cell, attr)
        param[...] = jnp.asarray(value.T if value.ndim == 2 else value, param[...].dtype)


def _export(layer: _Recurrent, kind: type, as_numpy: bool) -> dict[str, Any]:
    _check_kind(layer, kind)
    sd: dict[str, np.ndarray] = {}
    for key, (_, cell, attr) in _expected(layer).items():
        if attr == "recurrent_bias" and kind is not GRU:
            sd[key] = np.zeros_like(np.asarray(cell.bias[...]))
            continue
        v = np.asarray(getattr(cell, attr)[...])
        sd[key] = np.ascontiguousarray(v.T) if v.ndim == 2 else v.copy()
    if as_numpy:
        return sd
    import torch

    return {k: torch.from_numpy(v) for k, v in sd.items()}


def load_lstm_state_dict(layer: LSTM, state_dict: StateDict | str | os.PathLike) -> None:
    """Sets ``layer``'s parameters from a ``torch.nn.LSTM`` state dict (tensors/arrays) or file."""
    _load(layer, LSTM, state_dict)


def lstm_state_dict(layer: LSTM, *, as_numpy: bool = False) -> dict[str, Any]:
    """A state dict that ``torch.nn.LSTM(...).load_state_dict`` accepts (NumPy if as_numpy)."""
    return _export(layer, LSTM, as_numpy)


def load_gru_state_dict(layer: GRU, state_dict: StateDict | str | os.PathLike) -> None:
    """Sets ``layer``'s parameters from a ``torch.nn.GRU`` state dict or file."""
    _load(layer, GRU, state_dict)


def gru_state_dict(layer: GRU, *, as_numpy: bool = False) -> dict[str, Any]:
    """A state dict that ``torch.nn.GRU(...).load_state_dict`` accepts."""
    return _export(layer, GRU, as_numpy)


def load_rnn_state_dict(layer: SimpleRNN, state_dict: StateDict | str | os.PathLike) -> None:
    """Sets ``layer``'s parameters from a ``torch.nn.RNN`` state dict or file."""
    _load(layer, SimpleRNN, state_dict)


def rnn_state_dict(layer: SimpleRNN, *, as_numpy: bool = False) -> dict[str, Any]:
    """A state dict that ``torch.nn.RNN(...).load_state_dict`` accepts."""
    return _export(layer, SimpleRNN, as_numpy)
