"""Checks a config before anything is built, so mistakes fail in one line; resolves its
epoch-valued keys against the data."""

from __future__ import annotations

import copy

import ml_collections

from lstm_jax.errors import ConfigError
from lstm_jax.keys import check_positive, get

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
TEST_CHECKPOINTS = ("best", "last", "none")
DTYPES = ("float32", "bfloat16")


def validate(config: ml_collections.ConfigDict) -> None:
    for key in POSITIVE_INTS:
        check_positive(config, key)
    if not isinstance(config.get("num_epochs", 0), int | float) or config.get("num_epochs", 0) < 0:
        raise ConfigError(f"config.num_epochs must be >= 0 (0 = off), got {config.num_epochs!r}")
    for key in ("early_stopping_patience", "seed"):
        v = get(config, key)
        if not isinstance(v, int) or v < 0:
            raise ConfigError(f"config.{key} must be an int >= 0, got {v!r}")
    if get(config, "test_checkpoint") not in TEST_CHECKPOINTS:
        raise ConfigError(
            f"unknown test_checkpoint {config.test_checkpoint!r}; choose one of {TEST_CHECKPOINTS}"
        )
    if get(config, "dtype") not in DTYPES:
        raise ConfigError(f"unknown dtype {config.dtype!r}; choose one of {DTYPES}")
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


def with_epochs(
    config: ml_collections.ConfigDict, steps_per_epoch: int
) -> ml_collections.ConfigDict:
    """A copy of ``config`` whose epoch-valued keys (``default.epochs``: references to
    ``steps_per_epoch``) follow the data's real epoch size, all references resolved.
    The caller's config is left as it was: nothing writes into a config at run time."""
    c = copy.deepcopy(config)
    if "steps_per_epoch" in c:
        c.steps_per_epoch = steps_per_epoch
    c = c.copy_and_resolve_references()
    if c.get("num_epochs"):  # as default.epochs rounds: whole steps, fractions down
        c.num_train_steps = int(steps_per_epoch * round(c.num_epochs * 1000)) // 1000
        print(
            f"num_epochs={c.num_epochs:g}: {c.num_train_steps:,} training steps "
            f"({steps_per_epoch:,} per epoch)",
            flush=True,
        )
    validate(c)  # a fraction of a small epoch can round to 0 steps
    return c
