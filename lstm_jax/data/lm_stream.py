"""Truncated-BPTT batching: a token stream as ``batch`` parallel streams cut into windows.

The model's state is carried from one window to the next (a batch says when to reset it),
so a window of ``bptt`` tokens still sees everything before it in its stream. As in
pytorch/examples' ``batchify``, stream ``b`` is the ``b``-th contiguous block of the corpus.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lstm_jax.errors import ConfigError

Batch = dict[str, np.ndarray]


def batchify(ids: np.ndarray, batch_size: int, name: str = "split") -> np.ndarray:
    """int32[n] -> int32[batch, n // batch] (the remainder is dropped, as torch does)."""
    n = len(ids) // batch_size
    if n < 2:
        raise ConfigError(
            f"the {name} split has {len(ids)} tokens: too few for {batch_size} streams; "
            "lower the batch size or use more data"
        )
    return np.ascontiguousarray(ids[: n * batch_size].reshape(batch_size, n))


def steps_per_epoch(num_tokens: int, batch_size: int, bptt: int) -> int:
    """Full training windows per epoch; an error if not even one fits."""
    per_stream = num_tokens // batch_size
    if bptt + 1 > per_stream:
        raise ConfigError(
            f"data.bptt={bptt} is longer than the train split's {per_stream} tokens per "
            f"stream at batch {batch_size}; lower data.bptt or batch_size"
        )
    return (per_stream - 1) // bptt


class WindowIterator(Iterator[Batch]):
    """Training windows, epoch after epoch; checkpointable through get/set_state.

    Each batch: ``inputs, targets: int32[batch, length]``, ``reset: float32[batch]`` (1 at an
    epoch's first window: start from a zero state), ``weights: float32[batch, length]``
    and ``update_scale: float32[batch]`` (length / bptt; AWD-LSTM scales the learning rate
    so short windows do not take long steps).

    ``random_length`` is AWD-LSTM's: bptt with p=0.95 else bptt/2, plus N(0, 5) noise; it
    is rounded to a multiple of ``bucket`` so only a handful of shapes ever compile.
    The length of window ``i`` of epoch ``e`` is a function of (seed, e, i): exact resume.
    """

    def __init__(
        self,
        ids: np.ndarray,
        batch_size: int,
        bptt: int,
        seed: int,
        random_length: bool = False,
        bucket: int = 5,
    ):
        self.data = batchify(ids, batch_size, "train")
        steps_per_epoch(len(ids), batch_size, bptt)  # checks that a window fits
        self.bptt, self.seed, self.random_length, self.bucket = bptt, seed, random_length, bucket
        self.epoch, self.pos, self.index = 0, 0, 0

    def _length(self) -> int:
        if not self.random_length:
            return self.bptt
        rng = np.random.default_rng([self.seed, self.epoch, self.index])
        base = self.bptt if rng.random() < 0.95 else self.bptt / 2
        length = self.bucket * round(rng.normal(base, 5) / self.bucket)
        return int(min(max(length, self.bucket), self.data.shape[1] - 1))

    def __next__(self) -> Batch:
        length = self._length()
        if self.pos + length + 1 > self.data.shape[1]:  # the tail that does not fill a window
            self.epoch, self.pos, self.index = self.epoch + 1, 0, 0
            length = self._length()
        b, p = self.data.shape[0], self.pos
        batch = {
            "inputs": self.data[:, p : p + length],
            "targets": self.data[:, p + 1 : p + length + 1],
            "reset": np.full(b, float(p == 0), np.float32),
            "weights": np.ones((b, length), np.float32),
            "update_scale": np.full(b, length / self.bptt, np.float32),
        }
        self.pos += length
        self.index += 1
        return batch

    def get_state(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos, "index": self.index}

    def set_state(self, state: dict) -> None:
        self.epoch, self.pos, self.index = (int(state[k]) for k in ("epoch", "pos", "index"))


def eval_windows(ids: np.ndarray, batch_size: int, bptt: int, name: str) -> list[Batch]:
    """Every token of a split once, in order; the last window is padded (weight 0)."""
    data = batchify(ids, batch_size, name)
    n = data.shape[1] - 1
    out = []
    for p in range(0, n, bptt):
        length = min(bptt, n - p)
        pad = ((0, 0), (0, bptt - length))
        weights = np.zeros((batch_size, bptt), np.float32)
        weights[:, :length] = 1.0
        out.append(
            {
                "inputs": np.pad(data[:, p : p + length], pad),
                "targets": np.pad(data[:, p + 1 : p + length + 1], pad),
                "reset": np.zeros(batch_size, np.float32),
                "weights": weights,
            }
        )
    return out
