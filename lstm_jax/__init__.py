"""lstm_jax."""
