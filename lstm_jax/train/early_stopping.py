"""Early stopping: end the run after ``patience`` evaluations without improvement
(Keras' ``EarlyStopping(patience=...)``; 0 = off)."""

from __future__ import annotations

from lstm_jax.train.policy import Patience


class EarlyStopping(Patience):
    fields = ("best", "bad", "stop")

    def __init__(self, patience: int, mode: str, metric: str):
        super().__init__(patience, mode)
        self.metric = metric

    def exhausted(self, step: int) -> None:
        if not self.stop:
            self.stop = True
            print(
                f"early stopping at step {step}: no {self.metric} improvement in "
                f"{self.patience} evaluations",
                flush=True,
            )
