"""What the policies share: a checkpointed state and the rule for "improved".

A policy is a small object the loop calls after every validation with the metric's value
(``on_eval``). It may ask to stop, set the optimizer's injected hyperparameters for the
steps that follow (``controls``), and keeps its state in the checkpoint, so a resumed
run decides exactly as one that never stopped.
"""

from __future__ import annotations

import math
from typing import Any


def improved(value: float, best: float | None, mode: str) -> bool:
    """True if ``value`` beats ``best`` (None: nothing yet) for a "min" or "max" metric."""
    if not math.isfinite(value):
        return False
    return best is None or (value < best if mode == "min" else value > best)


class Policy:
    #: the attributes that are saved with the run and restored on resume
    fields: tuple[str, ...] = ()
    #: set by on_eval when this policy wants the run to end
    stop: bool = False

    def on_eval(self, step: int, value: float) -> None:
        raise NotImplementedError

    def controls(self) -> dict[str, Any]:
        """Injected optimizer hyperparameters for the next steps (none by default)."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.fields}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for f in self.fields:  # a field added later keeps its default
            setattr(self, f, state.get(f, getattr(self, f)))


class Patience(Policy):
    """Counts evaluations without improvement; ``exhausted`` runs when ``patience`` of them
    have passed in a row (0 = never)."""

    fields = ("best", "bad")

    def __init__(self, patience: int, mode: str):
        self.patience, self.mode = patience, mode
        self.best: float | None = None
        self.bad = 0

    def on_eval(self, step: int, value: float) -> None:
        if improved(value, self.best, self.mode):
            self.best, self.bad = value, 0
            return
        self.bad += 1
        if self.patience and self.bad >= self.patience:
            self.exhausted(step)

    def exhausted(self, step: int) -> None:
        raise NotImplementedError
