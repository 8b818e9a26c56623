"""NT-ASGD's switch (Merity et al. 2017, Algorithm 1): start averaging the iterates once
the validation metric is worse than the best of all evaluations but the last ``nonmono``.

The switch reaches the optimizer (``optim.averaging``) as the injected hyperparameter
``average``, an input of the jitted step.
"""

from __future__ import annotations

import numpy as np

from lstm_jax.train.policy import Policy


def nonmono_trigger(history: list[float], value: float, nonmono: int, mode: str) -> bool:
    """``value`` is worse than the best of ``history`` without its last ``nonmono``."""
    old = history[: len(history) - nonmono]
    if not old:
        return False
    return value > min(old) if mode == "min" else value < max(old)


class NTASGD(Policy):
    fields = ("history", "on")

    def __init__(self, nonmono: int, mode: str, metric: str, enabled: bool = True):
        self.nonmono, self.mode, self.metric, self.enabled = nonmono, mode, metric, enabled
        self.history: list[float] = []
        self.on = False

    def on_eval(self, step: int, value: float) -> None:
        if (
            self.enabled
            and not self.on
            and nonmono_trigger(self.history, value, self.nonmono, self.mode)
        ):
            self.on = True
            print(f"step {step}: {self.metric} stopped improving; averaging on", flush=True)
        self.history.append(value)

    def controls(self) -> dict[str, np.float32]:
        return {"average": np.float32(self.on)}
