"""Reduce-on-plateau: the learning rate times ``factor`` after ``patience`` evaluations
without improvement (Keras' and torch's ``ReduceLROnPlateau``, on the validation metric).

The scale reaches the optimizer as the injected hyperparameter ``lr_scale``, an input of
the jitted step; nothing edits the optimizer state from the host.
"""

from __future__ import annotations

import numpy as np

from lstm_jax.train.policy import Patience


class Plateau(Patience):
    fields = ("best", "bad", "scale")

    def __init__(self, patience: int, factor: float, mode: str, enabled: bool = True):
        super().__init__(patience if enabled else 0, mode)
        self.factor = factor
        self.scale = 1.0

    def exhausted(self, step: int) -> None:
        # in float32, as the optimizer state holds it: a resumed run scales identically
        self.scale = float(np.float32(self.scale) * np.float32(self.factor))
        self.bad = 0

    def controls(self) -> dict[str, np.float32]:
        return {"lr_scale": np.float32(self.scale)}
