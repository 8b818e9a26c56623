"""SpecAugment's masks: bands within their widths, frame spans within each row's length."""

import jax
import jax.numpy as jnp
import numpy as np

from lstm_jax.nn.spec_augment import spec_augment


def test_masks_are_bands_within_their_widths_and_lengths():
    x = jnp.ones((64, 30, 20))
    lengths = jnp.full((64,), 30).at[:32].set(12)
    out = np.asarray(spec_augment(jax.random.key(0), x, lengths, 1, 5, 1, 4))
    zero_f = (out == 0).all(axis=1)  # [batch, features]: a masked band spans every frame
    zero_t = (out == 0).all(axis=2)  # [batch, time]: a masked span spans every feature
    for row in range(64):
        f = np.flatnonzero(zero_f[row])
        t = np.flatnonzero(zero_t[row])
        assert len(f) <= 5 and (len(f) == 0 or f[-1] - f[0] + 1 == len(f))  # one band
        assert len(t) <= 4 and (len(t) == 0 or t[-1] - t[0] + 1 == len(t))
        assert len(t) == 0 or t[-1] < int(lengths[row])  # never past the row's end
        masked = zero_f[row][None, :] | zero_t[row][:, None]
        np.testing.assert_array_equal(out[row] == 0, masked)  # nothing else changed
    assert zero_f.any() and zero_t.any()  # widths are drawn in 0..width: most rows masked


def test_same_key_same_masks_and_zero_widths_are_identity():
    x = jax.random.normal(jax.random.key(1), (4, 10, 8))
    lengths = jnp.array([10, 7, 3, 1])
    a = spec_augment(jax.random.key(2), x, lengths)
    np.testing.assert_array_equal(a, spec_augment(jax.random.key(2), x, lengths))
    assert not np.array_equal(a, spec_augment(jax.random.key(3), x, lengths))
    np.testing.assert_array_equal(spec_augment(jax.random.key(2), x, lengths, 0, 0, 0, 0), x)
