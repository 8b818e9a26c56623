"""Position-encoded pooling against MemN2N's formula written out word by word."""

import jax.numpy as jnp
import numpy as np

from lstm_jax.nn.pooling import position_pool


def test_position_pool_matches_the_paper_and_ignores_padding():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(2, 5, 3)).astype(np.float32)
    lengths = np.array([5, 2])
    want = np.zeros((2, 3), np.float32)
    for b, n in enumerate(lengths):
        for j in range(1, n + 1):
            for k in range(1, 4):  # l_kj = (1 - j/J) - (k/d)(1 - 2j/J)
                want[b, k - 1] += ((1 - j / n) - (k / 3) * (1 - 2 * j / n)) * h[b, j - 1, k - 1]
    got = position_pool(jnp.asarray(h), jnp.asarray(lengths))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    h[1, 2:] = 99.0  # padding
    np.testing.assert_allclose(position_pool(jnp.asarray(h), jnp.asarray(lengths)), got, atol=1e-6)
