"""The copy-memory task (task ``copy``, Arjovsky et al. 2016): recall symbols after a long
blank stretch."""

from __future__ import annotations

import math
from functools import partial

import jax.numpy as jnp
import numpy as np
import optax

from lstm_jax.data import synthetic
from lstm_jax.models.sequence import SequenceTagger
from lstm_jax.tasks import register
from lstm_jax.tasks.base import GeneratedTask


@register("copy")
class CopyTask(GeneratedTask):
    eval_metric = "loss"
    keys = {"data": {"length": 50, "num_symbols": 8}}  # blanks to wait; symbols to copy
    positive = ("data.length", "data.num_symbols")

    def make_model(self, config, rngs):
        m = config.model
        vocab = config.data.num_symbols + 2
        return SequenceTagger(
            m.cell, vocab, m.hidden_features, m.num_layers, vocab, dtype=config.dtype, rngs=rngs
        )

    def make(self, config):
        return partial(_copy, length=config.data.length, num_symbols=config.data.num_symbols)

    def loss(self, model, batch, carry):
        logits = model(batch["inputs"])
        ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch["targets"]).mean()
        copies = 10
        recalled = jnp.argmax(logits[:, -copies:], -1) == batch["targets"][:, -copies:]
        return ce, ({"loss": ce, "recall_accuracy": recalled.mean()}, carry)

    def predict(self, model, config, inputs):
        batch = self.examples()
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


def _copy(rng, batch_size, *, length, num_symbols):
    return synthetic.copy_batch(rng, batch_size, length, num_symbols)
