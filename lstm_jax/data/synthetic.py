"""The long-range memory problems, generated on the fly (no download).

Batches are a pure function of (seed, step), so grain's iterator state is the whole data
position: a resumed run continues with the very next batch, on any number of devices or
hosts.
"""

from __future__ import annotations

from collections.abc import Callable

import grain
import numpy as np

from lstm_jax.data.batching import Pipeline, generated

Batch = dict[str, np.ndarray]


def adding_batch(rng: np.random.Generator, batch_size: int, length: int) -> Batch:
    """The adding problem (Hochreiter & Schmidhuber 1997).

    inputs: float32[batch, length, 2]: channel 0 uniform in [0, 1), channel 1 marks two
    positions, one in each half; target: float32[batch], the sum of the two marked values.
    Always predicting 1 gives MSE 1/6.
    """
    values = rng.random((batch_size, length), dtype=np.float32)
    marks = np.zeros((batch_size, length), np.float32)
    half = length // 2
    rows = np.arange(batch_size)
    first = rng.integers(0, half, batch_size)
    second = rng.integers(half, length, batch_size)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    target = values[rows, first] + values[rows, second]
    return {"inputs": np.stack([values, marks], -1), "targets": target.astype(np.float32)}


def copy_batch(
    rng: np.random.Generator, batch_size: int, length: int, num_symbols: int = 8, copies: int = 10
) -> Batch:
    """The copy-memory task (Arjovsky et al. 2016).

    Symbols 1..num_symbols (``copies`` of them), then ``length`` blanks (0) with a
    delimiter (num_symbols + 1) at the last blank, then ``copies`` blanks: the model must
    output the symbols in the last ``copies`` steps and blank elsewhere.
    inputs, targets: int32[batch, length + 2 * copies]. A memoryless model's best
    cross-entropy is copies * ln(num_symbols) / (length + 2 * copies).
    """
    total = length + 2 * copies
    symbols = rng.integers(1, num_symbols + 1, (batch_size, copies))
    inputs = np.zeros((batch_size, total), np.int32)
    targets = np.zeros((batch_size, total), np.int32)
    inputs[:, :copies] = symbols
    inputs[:, copies + length - 1] = num_symbols + 1
    targets[:, -copies:] = symbols
    return {"inputs": inputs, "targets": targets}


# per-split seed offsets: valid and test never draw a training batch
SPLIT_SEEDS = {"valid": 10_000_019, "test": 20_000_003}


class Generated(Pipeline):
    """Batches ``make(rng, batch_size)`` drawn on the fly: training batch g with rng
    (seed, g); ``eval_batches`` fixed batches per split from seeds of their own. There are
    no epochs: ``steps_per_epoch`` is 1."""

    steps_per_epoch = 1

    def __init__(
        self,
        make: Callable[[np.random.Generator, int], Batch],
        batch_size: int,
        seed: int,
        eval_batches: int,
    ):
        self.make, self.batch_size, self.seed, self.eval_batches = (
            make,
            batch_size,
            seed,
            eval_batches,
        )

    def train(self, seed: int) -> grain.MapDataset:
        return generated(self.make, self.batch_size, seed)

    def eval(self, split: str) -> grain.MapDataset:
        return generated(self.make, self.batch_size, self.seed + SPLIT_SEEDS[split])[
            : self.eval_batches
        ]
