"""The cuDNN LSTM through ``jax.experimental.rnn``: weight layout both ways, and the call.

cuDNN keeps one flat float32 vector per call: every (pseudo-)layer's ``W_ih [4H, in]`` and
``W_hh [4H, H]``, then every layer's ``b_ih [4H]`` and ``b_hh [4H]`` (torch's names and
gate order i, f, g, o, which are ours too; a bidirectional layer is two pseudo-layers,
forward then reverse). We store ``input_kernel = W_ih^T``, ``recurrent_kernel = W_hh^T``
and one ``bias = b_ih + b_hh``, so packing transposes and puts the whole bias in ``b_ih``.
Packing is plain JAX, so gradients flow from cuDNN's weight gradient back to our
parameters.

``LSTM(backend="cudnn")`` calls cuDNN once per layer (both directions in one call), with
our dropout masks between layers, so a layer computes the same function on either
backend; ``backend="auto"`` picks cuDNN on a CUDA GPU when ``unsupported`` finds nothing
in the way.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

Array = jax.Array


def gpu_available() -> bool:
    """A CUDA backend with jax's cuDNN RNN kernels."""
    try:
        from jax.experimental import rnn
    except ImportError:  # pragma: no cover - jax without the experimental module
        return False
    return jax.default_backend() == "gpu" and getattr(rnn, "gpu_rnn", None) is not None


def unsupported(*, layer_norm: bool, proj: bool, recurrent_dropout: float, dtype) -> str | None:
    """Why cuDNN cannot compute this LSTM exactly, or None if it can."""
    if layer_norm:
        return "layer_norm=True (cuDNN has no layer-normalised LSTM)"
    if proj:
        return "proj_features is set (jax.experimental.rnn has no LSTMP)"
    if recurrent_dropout:
        return "recurrent_dropout > 0 (a mask on h inside the recurrence)"
    if jnp.dtype(dtype) != jnp.float32:
        return f"dtype={jnp.dtype(dtype).name} (jax.experimental.rnn runs float32 only)"
    return None


def pack(layers: list[tuple[Array, Array, Array | None]]) -> Array:
    """Our (input_kernel [in, 4H], recurrent_kernel [H, 4H], bias [4H] or None) per
    pseudo-layer -> cuDNN's flat float32[num_params]."""
    mats, biases = [], []
    for w_ih, w_hh, b in layers:
        mats += [w_ih.T.reshape(-1), w_hh.T.reshape(-1)]
        zeros = jnp.zeros(w_hh.shape[1], jnp.float32)
        biases += [zeros if b is None else b.astype(jnp.float32), zeros]
    return jnp.concatenate([m.astype(jnp.float32) for m in mats] + biases)


def unpack(
    weights: Array, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool
) -> list[tuple[Array, Array, Array]]:
    """cuDNN's flat weights -> our (input_kernel, recurrent_kernel, bias) per pseudo-layer
    (index ``layer * directions + direction``), the two biases summed."""
    from jax.experimental import rnn

    w_ih, w_hh, b_ih, b_hh = rnn.unpack_lstm_weights(
        weights, input_size, hidden_size, num_layers, bidirectional
    )
    return [(w_ih[i].T, w_hh[i].T, b_ih[i] + b_hh[i]) for i in sorted(w_ih)]


def reference(x, h0, c0, weights, seq_lengths, input_size, hidden_size, num_layers, bidir):
    """``jax.experimental.rnn.lstm_ref`` with ``lstm``'s signature: cuDNN's function in
    plain JAX, for checking the cuDNN path where there is no GPU."""
    from jax.experimental import rnn

    w_ih, w_hh, b_ih, b_hh = rnn.unpack_lstm_weights(
        weights, input_size, hidden_size, num_layers, bidir
    )
    return rnn.lstm_ref(
        x,
        h0,
        c0,
        w_ih,
        w_hh,
        b_ih,
        b_hh,
        seq_lengths,
        input_size,
        hidden_size,
        num_layers,
        0.0,
        bidir,
    )


def cudnn_lstm(x, h0, c0, weights, seq_lengths, input_size, hidden_size, num_layers, bidir):
    """x: float32[batch, time, in] -> (y [batch, time, D * H], h_n, c_n [L * D, batch, H])."""
    from jax.experimental import rnn

    return rnn.lstm(  # keywords, as jax's own docstring calls it
        x,
        h0,
        c0,
        weights,
        seq_lengths=seq_lengths,
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        dropout=0.0,
        bidirectional=bidir,
    )


#: what ``LSTM(backend="cudnn")`` calls; tests on CPU point it at ``reference``
KERNEL = {"lstm": cudnn_lstm}
