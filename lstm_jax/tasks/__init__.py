"""Tasks by name: ``config.task`` picks one; a task binds data, model, loss and metrics.

Adding a task is one module, named as the task, that calls ``register``, plus its config.
"""

from __future__ import annotations

import difflib

from lstm_jax.errors import ConfigError
from lstm_jax.tasks.base import Task

_REGISTRY: dict[str, type[Task]] = {}


def register(name: str):
    def wrap(cls: type[Task]) -> type[Task]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def get_task(name: str) -> Task:
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown task {name!r} (known: {', '.join(sorted(_REGISTRY))}){hint}")
    return _REGISTRY[name]()


from lstm_jax.tasks import (  # noqa: E402, F401  (registers them; file name = task name)
    adding,
    classify,
    copy,
    forecast,
    lm,
    qa,
    speech,
    tag,
    translate,
)
