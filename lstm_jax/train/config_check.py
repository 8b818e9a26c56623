"""Checks a config before anything is built, so mistakes fail in one line."""

from __future__ import annotations

import ml_collections

from lstm_jax.errors import ConfigError

POSITIVE_INTS = [
    "batch_size",
    "num_train_steps",
    "eval_every",
    "eval_batches",
    "log_every",
    "checkpoint_every",
    "keep_checkpoints",
    "model.hidden_features",
    "model.num_layers",
    "optimizer.accumulate_steps",
]
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "step", "cosine", "plateau")
AVERAGING = ("off", "nonmono")
TEST_CHECKPOINTS = ("best", "last")


def _get(config: ml_collections.ConfigDict, dotted: str):
    node = config
    for part in dotted.split("."):
        if part not in node:
            raise ConfigError(f"config is missing {dotted!r}; start from configs/default.py")
        node = node[part]
    return node


def validate(config: ml_collections.ConfigDict) -> None:
    for key in POSITIVE_INTS:
        v = _get(config, key)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ConfigError(f"config.{key} must be a positive int, got {v!r}")
    for key in ("early_stopping_patience", "seed"):
        v = _get(config, key)
        if not isinstance(v, int) or v < 0:
            raise ConfigError(f"config.{key} must be an int >= 0, got {v!r}")
    if _get(config, "test_checkpoint") not in TEST_CHECKPOINTS:
        raise ConfigError(
            f"unknown test_checkpoint {config.test_checkpoint!r}; choose one of {TEST_CHECKPOINTS}"
        )
    opt = config.optimizer
    if opt.name not in OPTIMIZERS:
        raise ConfigError(f"unknown optimizer.name {opt.name!r}; choose one of {OPTIMIZERS}")
    if opt.schedule not in SCHEDULES:
        raise ConfigError(f"unknown optimizer.schedule {opt.schedule!r}; choose one of {SCHEDULES}")
    if opt.average not in AVERAGING:
        raise ConfigError(f"unknown optimizer.average {opt.average!r}; choose one of {AVERAGING}")
    if not opt.learning_rate > 0:
        raise ConfigError(f"optimizer.learning_rate must be > 0, got {opt.learning_rate!r}")
    if opt.clip_norm < 0:
        raise ConfigError(f"optimizer.clip_norm must be >= 0 (0 = off), got {opt.clip_norm!r}")
    if not 0 < opt.decay_factor <= 1:
        raise ConfigError(f"optimizer.decay_factor must be in (0, 1], got {opt.decay_factor!r}")
    if "dropout" in config.model and not 0 <= config.model.dropout < 1:
        raise ConfigError(f"model.dropout must be in [0, 1), got {config.model.dropout!r}")
