"""lstm_gates replays the layer exactly: its h and c are the layer's outputs and states."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from lstm_jax.errors import ConfigError
from lstm_jax.nn import GRU, LSTM
from lstm_jax.nn.inspect import lstm_gates


@pytest.mark.parametrize("num_layers", [1, 2])
def test_traces_match_the_layer(num_layers):
    layer = LSTM(3, 5, num_layers=num_layers, rngs=nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (2, 7, 3))
    ys, final = layer(x)
    g = lstm_gates(layer, x, layer_index=num_layers - 1)
    assert all(g[k].shape == (2, 7, 5) for k in "ifgoch")
    np.testing.assert_allclose(g["h"], ys, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g["c"][:, -1], final.c[-1], rtol=1e-5, atol=1e-6)
    for k in "ifo":
        assert float(g[k].min()) > 0 and float(g[k].max()) < 1
    c_prev = jnp.concatenate([jnp.zeros((2, 1, 5)), g["c"][:, :-1]], 1)
    np.testing.assert_allclose(g["f"] * c_prev + g["i"] * g["g"], g["c"], rtol=1e-5, atol=1e-6)


def test_what_it_cannot_trace_is_a_one_line_error():
    with pytest.raises(ConfigError, match="needs an LSTM"):
        lstm_gates(GRU(3, 4, rngs=nnx.Rngs(0)), jnp.zeros((1, 2, 3)))
    with pytest.raises(ConfigError, match="unidirectional"):
        lstm_gates(LSTM(3, 4, bidirectional=True, rngs=nnx.Rngs(0)), jnp.zeros((1, 2, 3)))
    with pytest.raises(ConfigError, match="plain LSTM cells"):
        lstm_gates(LSTM(3, 4, proj_features=2, rngs=nnx.Rngs(0)), jnp.zeros((1, 2, 3)))
