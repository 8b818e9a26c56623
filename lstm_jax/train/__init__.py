"""The training engine: loop, state, sharding, checkpointing, logging."""

from lstm_jax.train.trainer import evaluate, load, predict, train_and_evaluate

__all__ = ["evaluate", "load", "predict", "train_and_evaluate"]
