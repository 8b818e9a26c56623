"""The adding problem (task ``adding``, Hochreiter & Schmidhuber 1997): what a memoryless
model cannot do."""

from __future__ import annotations

from functools import partial

import jax.numpy as jnp
import numpy as np

from lstm_jax.data import synthetic
from lstm_jax.models.sequence import SequenceRegressor
from lstm_jax.tasks import register
from lstm_jax.tasks.base import GeneratedTask


@register("adding")
class AddingTask(GeneratedTask):
    eval_metric = "mse"
    keys = {"data": {"length": 100}}  # T: the steps between the marks and the answer
    positive = ("data.length",)

    def make_model(self, config, rngs):
        m = config.model
        return SequenceRegressor(
            m.cell, 2, m.hidden_features, m.num_layers, dtype=config.dtype, rngs=rngs
        )

    def make(self, config):
        return partial(_adding, length=config.data.length)

    def loss(self, model, batch, carry):
        pred = model(batch["inputs"])
        mse = jnp.mean(jnp.square(pred - batch["targets"]))
        return mse, ({"mse": mse}, carry)

    def baseline(self, config):
        return {"mse": 1.0 / 6.0}

    def predict(self, model, config, inputs):
        batch = self.examples()
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


def _adding(rng, batch_size, *, length):
    return synthetic.adding_batch(rng, batch_size, length)
