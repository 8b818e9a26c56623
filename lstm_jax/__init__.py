"""lstm_jax: LSTMs in JAX and Flax NNX, with one training engine for every task.

``lstm_jax.load(workdir)`` gives a trained run's ``predict`` and ``evaluate``.
"""


def __getattr__(name: str):
    # imported on first use: `import lstm_jax.errors` should not pull in JAX and the tasks
    if name in ("load", "Trained"):
        from lstm_jax.train import saved

        return getattr(saved, name)
    raise AttributeError(f"module 'lstm_jax' has no attribute {name!r}")
