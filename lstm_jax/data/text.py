"""Text corpora for language modeling: files, tokenizers, vocabularies.

Word level follows pytorch/examples' word_language_model (and Zaremba et al.): every line
is ``line.split() + ["<eos>"]`` and ``<unk>`` is an ordinary word, so perplexities are
comparable with the literature. Character level keeps every character, newlines too.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
from collections.abc import Iterable, Sequence

import jax
import numpy as np

from lstm_jax.data import splits
from lstm_jax.data.tfds_text import load_text, tfds_splits
from lstm_jax.errors import CheckpointError, ConfigError, DataError
from lstm_jax.files import write_atomic

EOS, UNK = "<eos>", "<unk>"
LEVELS = ("word", "char")


def read_text(path: str) -> str:
    """The whole file as text (``.gz`` decompressed); a clear error for a missing, empty
    or non-UTF-8 file."""
    if not os.path.isfile(path):
        raise DataError(f"data file {path!r} does not exist; check the config.data paths")
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    if not raw.strip():
        raise DataError(f"data file {path!r} is empty")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataError(
            f"{path!r} line {line} is not UTF-8 (byte {raw[e.start]:#04x} at offset {e.start}); "
            "re-encode the file as UTF-8"
        ) from None


def tokenize(text: str, level: str) -> list[str]:
    if level == "word":
        return [tok for line in text.splitlines() for tok in [*line.split(), EOS]]
    if level == "char":
        return list(text)
    raise ConfigError(f"unknown data.level {level!r}; choose one of {LEVELS}")


class Vocab:
    """Token <-> id. ``<unk>`` is always last: evaluation text may hold unseen tokens."""

    def __init__(self, tokens: Sequence[str]):
        self.itos = list(tokens)
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            raise DataError("vocabulary has duplicate tokens")

    @classmethod
    def build(cls, tokens: Iterable[str], max_size: int = 0, min_count: int = 1) -> Vocab:
        """From the training tokens: the ``max_size`` most frequent (``<unk>`` included; 0 =
        no cap) seen ``min_count`` times; ties broken by first appearance: reproducible."""
        counts = collections.Counter(tokens)
        order = sorted(counts, key=lambda t: -counts[t])  # sort is stable: first seen first
        keep = [t for t in order if counts[t] >= min_count and t != UNK]
        if max_size:
            keep = keep[: max_size - 1]
        return cls([*keep, UNK])

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def encode(self, tokens: Sequence[str]) -> tuple[np.ndarray, int]:
        """int32[len(tokens)] ids and how many tokens were out of vocabulary (-> ``<unk>``)."""
        unk = self.stoi[UNK]
        ids = np.fromiter((self.stoi.get(t, -1) for t in tokens), np.int64, len(tokens))
        oov = int((ids < 0).sum())
        ids[ids < 0] = unk
        return ids.astype(np.int32), oov

    def decode(self, ids: Iterable[int], level: str) -> str:
        toks = [self.itos[int(i)] for i in ids]
        if level == "char":
            return "".join(toks)
        return "\n".join(" ".join(line.split()) for line in " ".join(toks).split(EOS))

    def save(self, path: str) -> None:
        """One token per line, as JSON strings so newlines and spaces survive."""
        write_atomic(path, "".join(json.dumps(t) + "\n" for t in self.itos))

    @classmethod
    def load(cls, path: str) -> Vocab:
        with open(path, encoding="utf-8") as f:
            return cls([json.loads(line) for line in f])


def encode_input(vocab: Vocab, tokens: Sequence[str], max_length: int = 0) -> np.ndarray:
    """A user's tokenized input -> int32 ids, cut to ``max_length`` (0 = no cut); an empty
    input becomes one ``<unk>``, so every model gets at least one step."""
    tokens = list(tokens)[: max_length or None] or [UNK]
    return vocab.encode(tokens)[0].astype(np.int32)


def check_vocab(saved: Vocab, built: Vocab, path: str) -> None:
    """A workdir's vocabulary must be the one this data builds: the model's rows are its ids."""
    if saved == built:
        return
    extra = [t for t in built.itos if t not in saved.stoi][:3]
    raise CheckpointError(
        f"the vocabulary in {path} ({len(saved)} tokens) does not match the one the training "
        f"data builds ({len(built)} tokens; e.g. new {extra}); use a fresh --workdir or the "
        "data this workdir was trained on"
    )


def keep_vocabs(workdir: str, vocabs: dict[str, Vocab], save: bool = True) -> None:
    """Checks each vocabulary against the one saved in ``workdir`` under its file name,
    then (``save``) saves those not saved yet: call it so once every other check on the
    data passed, and a refused run leaves the workdir as it found it."""
    for name, built in vocabs.items():
        path = os.path.join(workdir, name)
        if os.path.exists(path):
            check_vocab(Vocab.load(path), built, path)
    if save and jax.process_index() == 0:
        os.makedirs(workdir, exist_ok=True)
        for name, built in vocabs.items():
            if not os.path.exists(os.path.join(workdir, name)):
                built.save(os.path.join(workdir, name))


def keep(workdir: str, vocabs: dict[str, Vocab], tokenizers=(), cut: dict | None = None) -> None:
    """Saves what evaluation and prediction must find again (vocabularies, tokenizer models,
    the cut of one set into three); call it once every check on the data has passed."""
    keep_vocabs(workdir, vocabs)
    for tok in {id(t): t for t in tokenizers}.values():
        tok.save(workdir)
    if cut is not None:
        splits.save(workdir, cut)


def split_chars(text: str, fractions: Sequence[float]) -> dict[str, str]:
    """One file cut into contiguous train/valid/test pieces by fractions of its length."""
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) <= 0:
        raise ConfigError(
            f"data.split must be three positive fractions summing to 1, got {list(fractions)}"
        )
    a = int(len(text) * fractions[0])
    b = a + int(len(text) * fractions[1])
    return {"train": text[:a], "valid": text[a:b], "test": text[b:]}


SPLITS = ("train", "valid", "test")
# file names tried in config.data.dir, in order: the PTB/WikiText layouts people have
PATTERNS = ("{}.txt", "ptb.{}.txt", "wiki.{}.tokens", "{}")


def read_splits(data) -> dict[str, str]:
    """split -> text, from ``data.tfds``, ``data.file`` (cut by ``data.split``) or ``data.dir``."""
    if data.tfds:
        names = tfds_splits(data)
        return {
            s: load_text(data.tfds, n, data.dir, data.tfds_key)
            for s, n in zip(SPLITS, names, strict=True)
        }
    if data.file:
        fractions = [float(x) for x in data.split.split(",")]
        return split_chars(read_text(data.file), fractions)
    if not data.dir:
        raise ConfigError("set one of config.data.dir, config.data.file or config.data.tfds")
    if not os.path.isdir(data.dir):
        raise DataError(f"config.data.dir {data.dir!r} is not a directory")
    out = {}
    for split in SPLITS:
        names = [p.format(split) for p in PATTERNS]
        found = [n for n in names if os.path.isfile(os.path.join(data.dir, n))]
        if not found:
            raise DataError(f"no {split} file in {data.dir!r} (looked for {', '.join(names)})")
        out[split] = read_text(os.path.join(data.dir, found[0]))
    return out
