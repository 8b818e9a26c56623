"""Batches of variable-length sequences, bucketed by length to cut padding.

Each epoch shuffles the examples with (seed, epoch), sorts pools of ``pool`` batches by
length, cuts them into batches and shuffles the batches: every example appears exactly
once per epoch. The last batch is filled with weight-0 rows, so every batch has the
same number of rows; its width is the longest sequence rounded up to ``multiple``, so
only a few shapes are ever compiled. The position is (epoch, batch): checkpointable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def pad(seqs: Sequence[np.ndarray], index: np.ndarray, multiple: int) -> dict[str, np.ndarray]:
    """Rows ``index`` of ``seqs`` (-1 = an empty weight-0 row), right-padded with 0.

    -> tokens int32[rows, time], lengths int32[rows], weights float32[rows].
    """
    lengths = np.array([len(seqs[i]) if i >= 0 else 0 for i in index], np.int32)
    width = max(multiple, -(-int(lengths.max()) // multiple) * multiple)
    tokens = np.zeros((len(index), width), np.int32)
    for row, i in enumerate(index):
        if i >= 0:
            tokens[row, : lengths[row]] = seqs[i]
    # an empty row still runs through the LSTM; length 1 on a pad token keeps it well-defined
    weights = (index >= 0).astype(np.float32)
    return {"tokens": tokens, "lengths": np.maximum(lengths, 1), "weights": weights}


def fixed_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Evaluation: every example once, sorted by length, the last batch filled with -1."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    out = []
    for start in range(0, len(order), batch_size):
        b = np.full(batch_size, -1, np.int64)
        chunk = order[start : start + batch_size]
        b[: len(chunk)] = chunk
        out.append(b)
    return out


class BucketIterator:
    """Endless batches, bucketed by length: index arrays int64[batch_size] (-1 = a filler
    row), or ``make_batch(index)`` of them."""

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        seed: int,
        pool: int = 50,
        make_batch: Callable[[np.ndarray], Any] | None = None,
    ):
        self.lengths = np.asarray(lengths)
        self.make_batch = make_batch or (lambda index: index)
        self.batch_size, self.seed, self.pool = batch_size, seed, pool
        self.epoch, self.pos = 0, 0
        self._batches = self._epoch_batches(0)

    def _epoch_batches(self, epoch: int) -> list[np.ndarray]:
        rng = np.random.default_rng([self.seed, epoch])
        perm = rng.permutation(len(self.lengths))
        batches = []
        chunk = self.batch_size * self.pool
        for start in range(0, len(perm), chunk):
            part = perm[start : start + chunk]
            part = part[np.argsort(self.lengths[part], kind="stable")]
            for b in range(0, len(part), self.batch_size):
                idx = np.full(self.batch_size, -1, np.int64)
                rows = part[b : b + self.batch_size]
                idx[: len(rows)] = rows
                batches.append(idx)
        return [batches[i] for i in rng.permutation(len(batches))]

    def __len__(self) -> int:
        """Batches per epoch."""
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        return self

    def __next__(self) -> Any:
        if self.pos == len(self._batches):
            self.epoch, self.pos = self.epoch + 1, 0
            self._batches = self._epoch_batches(self.epoch)
        self.pos += 1
        return self.make_batch(self._batches[self.pos - 1])

    def get_state(self) -> dict[str, int]:
        return {"epoch": self.epoch, "pos": self.pos}

    def set_state(self, state: dict[str, int]) -> None:
        self.epoch, self.pos = int(state["epoch"]), int(state["pos"])
        self._batches = self._epoch_batches(self.epoch)
