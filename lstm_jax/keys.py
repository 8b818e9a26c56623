"""Reading and checking config keys by dotted name, for the engine's keys and the tasks'."""

from __future__ import annotations

from typing import Any

import ml_collections

from lstm_jax.errors import ConfigError


def get(config: ml_collections.ConfigDict, dotted: str) -> Any:
    """``config.a.b`` for "a.b"; a ConfigError naming the key if it is missing."""
    node = config
    for part in dotted.split("."):
        if part not in node:
            raise ConfigError(f"config is missing {dotted!r}; start from configs/default.py")
        node = node[part]
    return node


def check_positive(config: ml_collections.ConfigDict, dotted: str) -> None:
    value = get(config, dotted)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"config.{dotted} must be a positive int, got {value!r}")
