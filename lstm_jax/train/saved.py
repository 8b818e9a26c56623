"""A trained workdir, reused: the CLI's ``--mode=eval|predict`` and ``lstm_jax.load``.

A workdir describes itself: ``workdir/config.json`` is the config it was trained with
(data paths, vocabulary and split options, epoch-valued keys resolved), so evaluation and
prediction need nothing but the workdir and the overrides a user gives.
"""

from __future__ import annotations

import json
import os
from typing import Any

import ml_collections

from lstm_jax.errors import CheckpointError, ConfigError
from lstm_jax.train import optim, trainer
from lstm_jax.train.workdir import check_trained


def workdir_config(workdir: str, overrides: dict[str, Any] | None = None):
    """``workdir/config.json`` with ``overrides`` ({"decode.beam": 1, ...}) applied."""
    path = os.path.join(workdir, "config.json")
    check_trained(workdir)
    if not os.path.isfile(path):
        raise CheckpointError(
            f"workdir {workdir!r} has no config.json, so it cannot say how it was trained; "
            "give --config (and the data overrides it was trained with)"
        )
    with open(path) as f:
        raw = json.load(f)
    if "steps_per_epoch" in raw.get("data", {}):  # written before 2026-12-06
        raw["steps_per_epoch"] = raw["data"].pop("steps_per_epoch")
    raw.setdefault("dtype", "float32")  # written before 2026-12-06
    config = ml_collections.ConfigDict(raw)
    config.lock()  # an override may change a key, never add one
    try:
        config.update_from_flattened_dict(dict(overrides or {}))
    except KeyError as e:
        raise ConfigError(f"unknown config key in {sorted(overrides)} (the run's: {path})") from e
    return config


class Trained:
    """A trained workdir's best checkpoint: ``predict`` and ``evaluate`` as the CLI does.

    ``trained = lstm_jax.load("/tmp/sst2")``; ``trained.predict(["a gripping film"])``;
    ``trained.evaluate("test")`` or ``trained.evaluate("more.tsv")``.
    """

    def __init__(self, workdir: str, overrides: dict[str, Any] | None = None):
        self.workdir, self.overrides = workdir, dict(overrides or {})
        self.config = workdir_config(workdir, self.overrides)
        self.run, self.state = trainer.restore_best(self.config, workdir)
        self.task = self.run.task
        self.model = self.run.model(optim.eval_params(self.state), None)

    def predict(self, inputs: list[str]) -> list[str]:
        """The task's prediction for each input (a text, a sentence to translate or tag; a
        forecasting or generated task takes none), one line each, as ``--mode=predict``."""
        return self.task.predict(self.model, self.config, list(inputs))

    def evaluate(self, split_or_path: str = "test") -> dict[str, float]:
        """Metrics on "valid", "test", or a file in the layout of the task's test split
        (tasks that read a file per split: classify, translate, tag)."""
        if split_or_path in ("valid", "test"):
            return self.run.evaluate(optim.eval_params(self.state), split_or_path)
        if "test" not in self.config.data:
            raise ConfigError(
                f"task {self.config.task!r} reads no file per split; evaluate 'valid' or 'test'"
            )
        path = os.path.abspath(split_or_path)
        other = Trained(self.workdir, {**self.overrides, "data.test": path})
        return other.evaluate("test")


def load(workdir: str, overrides: dict[str, Any] | None = None) -> Trained:
    """The trained run in ``workdir`` (Keras' ``load_model``, Hugging Face's ``pipeline``)."""
    return Trained(workdir, overrides)
