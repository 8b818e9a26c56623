"""The interface the training loop knows; it never sees a concrete model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import ml_collections
import numpy as np
from flax import nnx

from lstm_jax.errors import ConfigError

Batch = dict[str, Any]


def tfds_splits(data: ml_collections.ConfigDict) -> list[str]:
    """``data.tfds_splits`` as the TFDS split names of train, valid and test."""
    names = data.tfds_splits.split(",")
    if len(names) != 3:
        raise ConfigError(f"data.tfds_splits must name 3 splits, got {data.tfds_splits!r}")
    return names


def check_positive(config: ml_collections.ConfigDict, dotted: str) -> None:
    """A task's own config key that must be a positive int, or a one-line ConfigError."""
    node = config
    for part in dotted.split("."):
        node = node[part]
    if not isinstance(node, int) or isinstance(node, bool) or node <= 0:
        raise ConfigError(f"config.{dotted} must be a positive int, got {node!r}")


class Task:
    """One task: its data, model, loss and metrics. Subclasses override every method."""

    name: str = ""
    #: the validation metric that selects the best checkpoint and drives early stopping
    eval_metric: str = "loss"
    eval_mode: str = "min"

    def setup(self, config: ml_collections.ConfigDict, workdir: str) -> None:
        """Runs before the model is built: load data whose size fixes the model (a vocabulary),
        and keep in ``workdir`` what evaluation and prediction must find again."""

    def make_model(self, config: ml_collections.ConfigDict, rngs: nnx.Rngs) -> nnx.Module:
        raise NotImplementedError

    def train_iter(self, config: ml_collections.ConfigDict, seed: int) -> Iterator[Batch]:
        """An iterator with get_state() / set_state(), yielding global numpy batches."""
        raise NotImplementedError

    def eval_batches(self, config: ml_collections.ConfigDict, split: str) -> list[Batch]:
        """Fixed batches of ``split`` ("valid" or "test")."""
        raise NotImplementedError

    def init_carry(self, config: ml_collections.ConfigDict, batch_size: int) -> Any:
        """What ``loss`` passes from one batch to the next (an LM's LSTM state), as numpy
        arrays with the batch on axis 0; checkpointed with the parameters. Empty by default."""
        return {}

    def loss(
        self, model: nnx.Module, batch: Batch, carry: Any
    ) -> tuple[jax.Array, tuple[dict[str, jax.Array], Any]]:
        """Mean loss over the batch, and (batch-mean metrics, the next carry).

        A ``weight`` metric weights this batch in the split's mean (default 1). A batch
        may hold ``update_scale: float32[batch]``: that step's learning-rate factor.
        """
        raise NotImplementedError

    def num_tokens(self, batch: Batch) -> int:
        """Tokens in a training batch, for tokens/s: rows x time of its ``inputs``."""
        return int(np.prod(batch["inputs"].shape[:2]))

    def corpus_metrics(
        self, model: nnx.Module, config: ml_collections.ConfigDict, split: str
    ) -> dict[str, float]:
        """Metrics of a whole split that are not means of batch metrics (BLEU of the
        decoded split), from the eval-mode model; none by default."""
        return {}

    def summarize(
        self, metrics: dict[str, Any], config: ml_collections.ConfigDict, split: str
    ) -> dict[str, float]:
        """Scalar metrics from a whole split's weighted means (perplexity from mean loss,
        accuracy and F1 from a mean confusion matrix)."""
        return metrics

    def predict(
        self, model: nnx.Module, config: ml_collections.ConfigDict, inputs: list[str]
    ) -> list[str]:
        """The task's own prediction for each input (or for generated examples)."""
        raise NotImplementedError

    def baseline(self, config: ml_collections.ConfigDict) -> dict[str, float]:
        """What a trivial model scores on ``eval_metric``, printed beside ours."""
        return {}

    def describe(
        self, metrics: dict[str, float], config: ml_collections.ConfigDict, split: str
    ) -> str:
        """One line for the user about a split's result."""
        return ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())
