"""The interface the training loop knows; it never sees a concrete model."""

from __future__ import annotations

import difflib
from typing import Any

import jax
import ml_collections
import numpy as np
from flax import nnx

from lstm_jax.data import synthetic
from lstm_jax.data.batching import Pipeline
from lstm_jax.errors import ConfigError
from lstm_jax.keys import check_positive, get

Batch = dict[str, Any]
#: the keys of a task that reads a file per split (paths relative to ``dir``)
SPLIT_FILES = {"dir": "", "train": "", "valid": "", "test": ""}


class Task:
    """One task: binds its data pipeline to a model, loss, metrics and decoding."""

    name: str = ""
    #: the validation metric that selects the best checkpoint and drives early stopping
    eval_metric: str = "loss"
    eval_mode: str = "min"
    #: the task's own config sections ("data", and "decode" / "predict" where it has them):
    #: every key with its default. Any other key there is refused, and each value must have
    #: its default's type. ``configs/default.get_config(task)`` starts from these.
    keys: dict[str, dict[str, Any]] = {}
    #: dotted keys that must be positive ints, and keys with a fixed set of values
    positive: tuple[str, ...] = ()
    choices: dict[str, tuple] = {}

    def check_config(self, config: ml_collections.ConfigDict) -> None:
        """One-line ConfigErrors for the task's own keys: unknown, missing, wrongly typed,
        not positive, not one of the choices."""
        for section, defaults in self.keys.items():
            given = config.get(section)
            if given is None:
                raise ConfigError(
                    f"config.{section} is missing; task {self.name!r} needs it: start from "
                    f"configs/default.get_config({self.name!r})"
                )
            for key in given:
                if key not in defaults:
                    close = difflib.get_close_matches(key, list(defaults), n=1)
                    hint = f" (did you mean {section}.{close[0]}?)" if close else ""
                    raise ConfigError(
                        f"config.{section}.{key} is not a key of task {self.name!r}{hint}; its "
                        f"keys and defaults are in lstm_jax/tasks/{self.name}.py"
                    )
            for key, default in defaults.items():
                if key not in given:
                    raise ConfigError(
                        f"config.{section}.{key} is missing (task {self.name!r}, default "
                        f"{default!r}); start from configs/default.get_config({self.name!r})"
                    )
                _check_type(f"{section}.{key}", given[key], default, self.name)
        for dotted in self.positive:
            check_positive(config, dotted)
        for dotted, allowed in self.choices.items():
            if get(config, dotted) not in allowed:
                raise ConfigError(
                    f"unknown {dotted} {get(config, dotted)!r}; choose one of {allowed}"
                )

    def setup(self, config: ml_collections.ConfigDict, workdir: str) -> Pipeline:
        """Checks the task's own keys (``check_config``), then loads its data (``load``)."""
        self.check_config(config)
        return self.load(config, workdir)

    def load(self, config: ml_collections.ConfigDict, workdir: str) -> Pipeline:
        """The task's data pipeline (``lstm_jax/data``), kept as ``self.data`` for the model's
        sizes (a vocabulary) and for predictions. It reads ``config``, never writes it, and
        keeps in ``workdir`` what evaluation and prediction must find again."""
        raise NotImplementedError

    def make_model(self, config: ml_collections.ConfigDict, rngs: nnx.Rngs) -> nnx.Module:
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
    ) -> dict[str, Any]:
        """Metrics of a whole split that are not means of batch metrics (BLEU of the
        decoded split), from the eval-mode model; none by default."""
        return {}

    def summarize(
        self, metrics: dict[str, Any], config: ml_collections.ConfigDict, split: str
    ) -> dict[str, Any]:
        """Scalar metrics from a whole split's weighted means (perplexity from mean loss,
        accuracy and F1 from a mean confusion matrix). An ``outputs`` entry,
        ``{file name: text}``, is written to the workdir by the engine (a confusion matrix,
        the decoded split), never by the task."""
        return metrics

    def predict(
        self, model: nnx.Module, config: ml_collections.ConfigDict, inputs: list[str]
    ) -> list[str]:
        """The task's own prediction for each input (or for generated examples)."""
        raise NotImplementedError

    @staticmethod
    def sentences(inputs: list[str], verb: str) -> list[str]:
        """``predict``'s inputs, or a one-line error saying how to give them."""
        if not inputs:
            raise ConfigError(f"give sentences to {verb} as arguments or with --input=FILE")
        return inputs

    def baseline(self, config: ml_collections.ConfigDict) -> dict[str, float]:
        """What a trivial model scores on ``eval_metric``, printed beside ours."""
        return {}

    def describe(
        self, metrics: dict[str, float], config: ml_collections.ConfigDict, split: str
    ) -> str:
        """One line for the user about a split's result."""
        return ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())


class GeneratedTask(Task):
    """A task whose data is drawn on the fly: ``make(config)(rng, batch_size)`` -> batch."""

    def make(self, config: ml_collections.ConfigDict):
        raise NotImplementedError

    def load(self, config, workdir):
        self.data = synthetic.Generated(
            self.make(config), config.batch_size, config.seed, config.eval_batches
        )
        return self.data

    def examples(self) -> Batch:
        """The first test batch: what ``predict`` shows."""
        return self.data.eval("test")[0]


def _check_type(key: str, value: Any, default: Any, task: str) -> None:
    kind = type(default)
    ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True  # an int where a float is expected, as ConfigDict allows
    if not ok:
        raise ConfigError(
            f"config.{key} must be {kind.__name__} (task {task!r}), got {value!r} "
            f"({type(value).__name__})"
        )
