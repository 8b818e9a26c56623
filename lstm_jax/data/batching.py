"""Batches on grain: every task's data as ``grain.MapDataset``s of whole global batches.

Training batch ``g`` is a pure function of (seed, g), so grain's iterator state (the next
index) is the whole data position: saved with every checkpoint, it resumes a run with the
very next batch on any number of devices or hosts.

Variable-length examples are bucketed: each epoch shuffles them with (seed, epoch), sorts
pools of ``pool`` batches by length, cuts them into batches and shuffles the batches, so
every example appears exactly once per epoch. The last batch is filled with weight-0 rows,
so every batch has the same number of rows; its width is the longest sequence rounded up
to ``multiple``, so only a few shapes are ever compiled.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import grain
import numpy as np

Batch = dict[str, np.ndarray]
ENDLESS = 2**62  # a training stream's length: grain indexes it lazily


class Pipeline:
    """What a task's data gives the engine: ``train(seed)``, the endless training batches;
    ``eval(split)``, the fixed batches of "valid" or "test"; ``steps_per_epoch``, training
    batches per pass over the data; ``epoch_start(e)``, the stream index of epoch e's
    first batch."""

    steps_per_epoch: int

    def train(self, seed: int) -> grain.MapDataset:
        raise NotImplementedError

    def eval(self, split: str) -> grain.MapDataset:
        raise NotImplementedError

    def epoch_start(self, epoch: int) -> int:
        return epoch * self.steps_per_epoch


class Bucketed(Pipeline):
    """Examples of varying length: subclasses give ``lengths(split)`` and
    ``batch(split, index)`` (rows ``index`` of ``split``, -1 a weight-0 filler row)."""

    batch_size: int
    eval_batch_size: int

    def lengths(self, split: str) -> Sequence[int]:
        raise NotImplementedError

    def batch(self, split: str, index: np.ndarray) -> Batch:
        raise NotImplementedError

    @property
    def steps_per_epoch(self) -> int:
        return steps(len(self.lengths("train")), self.batch_size)

    def train(self, seed: int) -> grain.MapDataset:
        make = functools.partial(self.batch, "train")
        return bucketed(self.lengths("train"), self.batch_size, seed, make)

    def eval(self, split: str) -> grain.MapDataset:
        return fixed(
            self.lengths(split), self.eval_batch_size, functools.partial(self.batch, split)
        )


def iterate(dataset: grain.MapDataset) -> grain.DatasetIterator:
    """A checkpointable iterator (``get_state``/``set_state``) that prepares the next few
    batches in one background thread while the device computes."""
    return iter(dataset.to_iter_dataset(grain.ReadOptions(num_threads=1, prefetch_buffer_size=4)))


def generated(make: Callable[[np.random.Generator, int], Batch], batch_size: int, seed: int):
    """Endless batches ``make(rng, batch_size)``, batch g drawn with rng (seed, g)."""
    return grain.MapDataset.range(ENDLESS).map(
        lambda g: make(np.random.default_rng([seed, g]), batch_size)
    )


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


def fixed(lengths: Sequence[int], batch_size: int, make_batch: Callable[[np.ndarray], Any]):
    """Every example once, in batches of similar length: ``make_batch(index)`` of each."""
    return grain.MapDataset.source(fixed_batches(lengths, batch_size)).map(make_batch)


def _epoch_batches(lengths: np.ndarray, batch_size: int, seed: int, pool: int, epoch: int):
    rng = np.random.default_rng([seed, epoch])
    perm = rng.permutation(len(lengths))
    batches = []
    chunk = batch_size * pool
    for start in range(0, len(perm), chunk):
        part = perm[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        for b in range(0, len(part), batch_size):
            idx = np.full(batch_size, -1, np.int64)
            rows = part[b : b + batch_size]
            idx[: len(rows)] = rows
            batches.append(idx)
    return [batches[i] for i in rng.permutation(len(batches))]


def bucketed(
    lengths: Sequence[int],
    batch_size: int,
    seed: int,
    make_batch: Callable[[np.ndarray], Any],
    pool: int = 50,
) -> grain.MapDataset:
    """Endless training batches bucketed by length: ``make_batch(index)`` of index arrays
    int64[batch_size] (-1 = a filler row); ``steps(len(lengths), batch_size)`` per epoch."""
    lengths = np.asarray(lengths)
    per_epoch = steps(len(lengths), batch_size)
    epoch = functools.lru_cache(maxsize=2)(
        functools.partial(_epoch_batches, lengths, batch_size, seed, pool)
    )
    return grain.MapDataset.range(ENDLESS).map(
        lambda g: make_batch(epoch(g // per_epoch)[g % per_epoch])
    )


def steps(num_examples: int, batch_size: int) -> int:
    """Batches per epoch when every example is used once (the last batch filled)."""
    return -(-num_examples // batch_size)
