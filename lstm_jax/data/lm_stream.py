"""Truncated-BPTT batching: a token stream as ``batch`` parallel streams cut into windows.

The model's state is carried from one window to the next (a batch says when to reset it),
so a window of ``bptt`` tokens still sees everything before it in its stream. As in
pytorch/examples' ``batchify``, stream ``b`` is the ``b``-th contiguous block of the corpus.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import threading

import grain
import ml_collections
import numpy as np

from lstm_jax.data import text
from lstm_jax.data.batching import ENDLESS, Pipeline
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


class Windows:
    """Training windows, epoch after epoch, as a grain ``MapDataset`` (``dataset()``).

    Each batch: ``inputs, targets: int32[batch, length]``, ``reset: float32[batch]`` (1 at an
    epoch's first window: start from a zero state), ``weights: float32[batch, length]``
    and ``update_scale: float32[batch]`` (length / bptt; AWD-LSTM scales the learning rate
    so short windows do not take long steps).

    ``random_length`` is AWD-LSTM's: bptt with p=0.95 else bptt/2, plus N(0, 5) noise; it
    is rounded to a multiple of ``bucket`` so only a handful of shapes ever compile.
    The length of window ``i`` of epoch ``e`` is a function of (seed, e, i), so window
    ``g`` of the whole stream is too: grain's index is the exact data position.
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
        self.per_epoch = steps_per_epoch(len(ids), batch_size, bptt)  # checks a window fits
        self.bptt, self.seed, self.random_length, self.bucket = bptt, seed, random_length, bucket
        self._starts = [0]  # the first window of each epoch counted so far (random lengths)
        self._lock = threading.Lock()  # grain may read windows from several threads

    def _length(self, epoch: int, index: int) -> int:
        if not self.random_length:
            return self.bptt
        rng = np.random.default_rng([self.seed, epoch, index])
        base = self.bptt if rng.random() < 0.95 else self.bptt / 2
        length = self.bucket * round(rng.normal(base, 5) / self.bucket)
        return int(min(max(length, self.bucket), self.data.shape[1] - 1))

    @functools.lru_cache(maxsize=4)  # noqa: B019 (one Windows per run)
    def _epoch(self, epoch: int) -> list[tuple[int, int]]:
        """(start, length) of every window of ``epoch``; the tail that does not fill one is
        left out."""
        out, pos = [], 0
        while pos + (length := self._length(epoch, len(out))) + 1 <= self.data.shape[1]:
            out.append((pos, length))
            pos += length
        return out

    def _locate(self, g: int) -> tuple[int, int]:
        """Stream index ``g`` -> (epoch, window within it)."""
        if not self.random_length:
            return divmod(g, self.per_epoch)
        with self._lock:  # epochs differ in length: count them up to g's
            while self._starts[-1] <= g:
                self._starts.append(self._starts[-1] + len(self._epoch(len(self._starts) - 1)))
            epoch = bisect.bisect_right(self._starts, g) - 1
            return epoch, g - self._starts[epoch]

    def epoch_start(self, epoch: int) -> int:
        """The stream index of ``epoch``'s first window."""
        if not self.random_length:
            return epoch * self.per_epoch
        while len(self._starts) <= epoch:
            self._locate(self._starts[-1])
        return self._starts[epoch]

    def window(self, g: int) -> Batch:
        epoch, i = self._locate(g)
        p, length = self._epoch(epoch)[i]
        b = self.data.shape[0]
        return {
            "inputs": self.data[:, p : p + length],
            "targets": self.data[:, p + 1 : p + length + 1],
            "reset": np.full(b, float(p == 0), np.float32),
            "weights": np.ones((b, length), np.float32),
            "update_scale": np.full(b, length / self.bptt, np.float32),
        }

    def dataset(self) -> grain.MapDataset:
        return grain.MapDataset.range(ENDLESS).map(self.window)


def eval_windows(ids: np.ndarray, batch_size: int, bptt: int, name: str) -> grain.MapDataset:
    """Every token of a split once, in order; the last window is padded (weight 0)."""
    data = batchify(ids, batch_size, name)
    n = data.shape[1] - 1

    def window(p: int) -> Batch:
        length = min(bptt, n - p)
        pad = ((0, 0), (0, bptt - length))
        weights = np.zeros((batch_size, bptt), np.float32)
        weights[:, :length] = 1.0
        return {
            "inputs": np.pad(data[:, p : p + length], pad),
            "targets": np.pad(data[:, p + 1 : p + length + 1], pad),
            "reset": np.zeros(batch_size, np.float32),
            "weights": weights,
        }

    return grain.MapDataset.source(range(0, n, bptt)).map(window)


@dataclasses.dataclass
class LMData(Pipeline):
    """``ids[split]``: int32[tokens] of each split; ``oov[split]``: how many of them were
    outside the training vocabulary."""

    vocab: text.Vocab
    ids: dict[str, np.ndarray]
    oov: dict[str, int]
    steps_per_epoch: int
    batch_size: int
    bptt: int
    random_bptt: bool
    eval_rows: dict[str, int]
    eval_bptt: int

    def train(self, seed: int) -> grain.MapDataset:
        self.windows = Windows(
            self.ids["train"], self.batch_size, self.bptt, seed, self.random_bptt
        )
        return self.windows.dataset()

    def eval(self, split: str) -> grain.MapDataset:
        return eval_windows(self.ids[split], self.eval_rows[split], self.eval_bptt, split)

    def epoch_start(self, epoch: int) -> int:
        """For the training stream ``train`` made last."""
        return self.windows.epoch_start(epoch)


def load(config: ml_collections.ConfigDict, workdir: str) -> LMData:
    """The corpus of ``config.data`` as token ids over a vocabulary built from its training
    split (kept as ``workdir/vocab.jsonl``), cut into BPTT windows."""
    d = config.data
    if not isinstance(d.train_tokens, int) or d.train_tokens < 0:
        raise ConfigError(f"data.train_tokens must be an int >= 0, got {d.train_tokens!r}")
    tokens = {s: text.tokenize(t, d.level) for s, t in text.read_splits(d).items()}
    vocab = text.Vocab.build(tokens["train"], d.vocab_size, d.min_count)
    text.keep_vocabs(workdir, {"vocab.jsonl": vocab}, save=False)
    ids, oov = {}, {}
    for split, toks in tokens.items():
        ids[split], oov[split] = vocab.encode(toks)
    if d.train_tokens:  # a smaller corpus, same vocabulary: perplexities stay comparable
        ids["train"] = ids["train"][: d.train_tokens]
    types = len(set(tokens["train"]))
    if d.vocab_size and types > len(vocab):  # a cap hides words: say how many tokens it costs
        print(
            f"vocabulary capped at {len(vocab):,} of {types:,} training word types "
            f"(data.vocab_size={d.vocab_size}): {oov['train']:,} training, {oov['valid']:,} "
            f"valid and {oov['test']:,} test tokens become {text.UNK}; 0 keeps every word",
            flush=True,
        )
    else:
        for split in ("valid", "test"):
            if oov[split]:
                print(
                    f"{split}: {oov[split]} of {len(ids[split])} tokens are not in the "
                    f"training vocabulary; counted as {text.UNK}",
                    flush=True,
                )
    per_epoch = steps_per_epoch(len(ids["train"]), config.batch_size, d.bptt)
    text.keep_vocabs(workdir, {"vocab.jsonl": vocab})  # every check has passed
    rows = {"valid": d.eval_batch_size, "test": d.test_batch_size}
    return LMData(
        vocab,
        ids,
        oov,
        per_epoch,
        config.batch_size,
        d.bptt,
        d.random_bptt,
        rows,
        d.eval_bptt or d.bptt,
    )
