"""The adding and copy-memory tasks: what a memoryless model cannot do."""

from __future__ import annotations

import math
from functools import partial

import jax.numpy as jnp
import numpy as np
import optax

from lstm_jax.data import synthetic
from lstm_jax.models.sequence import SequenceRegressor, SequenceTagger
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task

SPLIT_SEEDS = {"valid": 10_000_019, "test": 20_000_003}  # disjoint from the training stream


class _Generated(Task):
    """Data drawn on the fly from ``_make(config)(rng, batch_size)``."""

    def _make(self, config):
        raise NotImplementedError

    def train_iter(self, config, seed):
        return synthetic.SyntheticIterator(self._make(config), config.batch_size, seed)

    def eval_batches(self, config, split):
        seed = config.seed + SPLIT_SEEDS[split]
        it = synthetic.SyntheticIterator(self._make(config), config.batch_size, seed)
        return [next(it) for _ in range(config.eval_batches)]


@register("adding")
class AddingTask(_Generated):
    eval_metric = "mse"

    def make_model(self, config, rngs):
        m = config.model
        return SequenceRegressor(m.cell, 2, m.hidden_features, m.num_layers, rngs=rngs)

    def _make(self, config):
        return partial(_adding, length=config.data.length)

    def loss(self, model, batch, carry):
        pred = model(batch["inputs"])
        mse = jnp.mean(jnp.square(pred - batch["targets"]))
        return mse, ({"mse": mse}, carry)

    def baseline(self, config):
        return {"mse": 1.0 / 6.0}

    def predict(self, model, config, inputs):
        batch = self.eval_batches(config, "test")[0]
        pred = np.asarray(model(batch["inputs"][:5]))
        return [
            f"marked values sum to {t:.3f}; model says {p:.3f}"
            for t, p in zip(batch["targets"][:5], pred, strict=True)
        ]

    def describe(self, metrics, config, split):
        return (
            f"adding T={config.data.length} {config.model.cell}: {split} MSE {metrics['mse']:.4f} "
            f"vs 0.1667 for always predicting 1 (the best a memoryless model can do)"
        )


@register("copy")
class CopyTask(_Generated):
    eval_metric = "loss"

    def make_model(self, config, rngs):
        m = config.model
        vocab = config.data.num_symbols + 2
        return SequenceTagger(m.cell, vocab, m.hidden_features, m.num_layers, vocab, rngs=rngs)

    def _make(self, config):
        return partial(_copy, length=config.data.length, num_symbols=config.data.num_symbols)

    def loss(self, model, batch, carry):
        logits = model(batch["inputs"])
        ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch["targets"]).mean()
        copies = 10
        recalled = jnp.argmax(logits[:, -copies:], -1) == batch["targets"][:, -copies:]
        return ce, ({"loss": ce, "recall_accuracy": recalled.mean()}, carry)

    def predict(self, model, config, inputs):
        batch = self.eval_batches(config, "test")[0]
        out = np.asarray(jnp.argmax(model(batch["inputs"][:5]), -1))
        return [
            f"to recall {t[-10:].tolist()}; model recalls {o[-10:].tolist()}"
            for t, o in zip(batch["targets"][:5], out, strict=True)
        ]

    def baseline(self, config):
        t, k = config.data.length, config.data.num_symbols
        return {"loss": 10 * math.log(k) / (t + 20)}

    def describe(self, metrics, config, split):
        base = self.baseline(config)["loss"]
        return (
            f"copy T={config.data.length} {config.model.cell}: {split} cross-entropy "
            f"{metrics['loss']:.4f} vs {base:.4f} memoryless baseline; symbols recalled "
            f"{100 * metrics['recall_accuracy']:.1f}% (chance {100 / config.data.num_symbols:.1f}%)"
        )


def _adding(rng, batch_size, *, length):
    return synthetic.adding_batch(rng, batch_size, length)


def _copy(rng, batch_size, *, length, num_symbols):
    return synthetic.copy_batch(rng, batch_size, length, num_symbols)
