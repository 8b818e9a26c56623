"""Keeps the best checkpoint by the validation metric (the one the test reports)."""

from __future__ import annotations

import math

from lstm_jax.train.policy import Policy, improved


class BestKeeping(Policy):
    """``improved`` is True after an evaluation that beat every earlier one: the loop then
    saves the state to ``workdir/best``. ``good_step`` is the last evaluation whose value
    was finite and no worse than the run's first: the last step not yet diverging, which a
    run that blows up (NaN) rolls back to."""

    fields = ("best", "best_step", "first", "good_step")

    def __init__(self, mode: str):
        self.mode = mode
        self.best: float | None = None
        self.best_step = self.good_step = 0
        self.first: float | None = None
        self.improved = False

    def on_eval(self, step: int, value: float) -> None:
        self.improved = improved(value, self.best, self.mode)
        if self.improved:
            self.best, self.best_step = value, step
        if not math.isfinite(value):
            return
        if self.first is None:
            self.first = value
        if not improved(self.first, value, self.mode):  # no worse than at the first evaluation
            self.good_step = step
