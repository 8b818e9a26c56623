"""Our LSTM equals Flax's nnx.RNN over nnx.OptimizedLSTMCell / nnx.LSTMCell with mapped weights."""

import jax
import numpy as np
import pytest
from flax import nnx

from lstm_jax.errors import CheckpointError
from lstm_jax.interop.flax_cells import load_flax_lstm_cell
from lstm_jax.nn import LSTM


@pytest.mark.parametrize("cell_cls", [nnx.OptimizedLSTMCell, nnx.LSTMCell])
def test_matches_flax_rnn(cell_cls):
    cell = cell_cls(3, 5, rngs=nnx.Rngs(0))
    for _, p in nnx.iter_graph(cell):  # give the biases values, so their mapping is tested
        if isinstance(p, nnx.Param) and p[...].ndim == 1:
            p[...] = p[...] + 0.25
    flax_rnn = nnx.RNN(cell)
    layer = LSTM(3, 5, rngs=nnx.Rngs(1))
    load_flax_lstm_cell(layer, cell)
    x = jax.random.normal(jax.random.key(0), (4, 6, 3))
    lengths = np.array([6, 2, 4, 1])
    want = flax_rnn(x, seq_lengths=lengths)
    got, state = layer(x, lengths)
    # Flax keeps computing past a sequence's end; compare the valid steps.
    for b, n in enumerate(lengths):
        np.testing.assert_allclose(got[b, :n], want[b, :n], atol=1e-5)
    np.testing.assert_allclose(state.h[0, 0], want[0, -1], atol=1e-5)


def test_shape_mismatch_is_refused():
    with pytest.raises(CheckpointError, match="needs"):
        load_flax_lstm_cell(
            LSTM(3, 4, rngs=nnx.Rngs(0)), nnx.OptimizedLSTMCell(3, 5, rngs=nnx.Rngs(0))
        )
