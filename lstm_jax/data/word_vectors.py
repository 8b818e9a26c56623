"""Pretrained word vectors from a word2vec or GloVe text file, for the vocabulary's words.

Words the file lacks start from N(0, std) with the std of the vectors found, so they
neither dominate nor vanish next to the pretrained ones.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator, Sequence

import numpy as np

from lstm_jax.errors import DataError


def _lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of a word2vec or GloVe text file, word2vec's header skipped."""
    if not os.path.isfile(path):
        raise DataError(
            f"word vector file {path!r} does not exist; check config.data.vectors, or "
            "make it from your own text with python -m experiments.word2vec --out=FILE"
        )
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            head = line.rstrip().split(" ") if n == 1 else ()
            if len(head) == 2 and all(p.isdigit() for p in head):
                continue  # word2vec's header ("count dim"); only the first line can be one
            yield n, line


def vector_words(path: str, dim: int) -> list[str]:
    """The words of a word2vec or GloVe text file, in its order (checked by load_vectors)."""
    return [line.rstrip().rsplit(" ", dim)[0] for _, line in _lines(path)]


def load_vectors(
    path: str, words: Sequence[str], dim: int, seed: int = 0
) -> tuple[np.ndarray, int]:
    """-> (float32[len(words), dim], how many words the file had). A word2vec header line
    ("count dim") is skipped; a word missing exactly is looked up lower-cased."""
    index = {w: i for i, w in enumerate(words)}
    lower = {}
    for i, w in enumerate(words):
        lower.setdefault(w.lower(), i)
    table = np.zeros((len(words), dim), np.float32)
    found = np.zeros(len(words), bool)
    exact = np.zeros(len(words), bool)  # a case-folded match yields to an exact one
    checked = False
    for n, line in _lines(path):
        # a word may hold spaces (GloVe 840B has ". . ."): the vector is the last dim
        # fields, and the first line (a plain word) tells the file's dimension
        text = line.rstrip()
        word, *vector = text.rsplit(" ", dim)
        # the whole split only on the first line and for the error: these files are large
        first_bad = not checked and len(text.split(" ")) != dim + 1
        if len(vector) != dim or not word or first_bad:
            fields = len(text.split(" "))
            raise DataError(
                f"{path}:{n}: a vector of {fields - 1} numbers; model.embed is {dim}: "
                "set config.model.embed to the file's dimension"
            )
        checked = True
        i, is_exact = index.get(word), True
        if i is None:
            i, is_exact = lower.get(word.lower()), False
        if i is None or exact[i] or (found[i] and not is_exact):
            continue
        try:
            table[i] = np.asarray(vector, np.float32)
        except ValueError:
            raise DataError(f"{path}:{n}: a non-numeric vector entry") from None
        found[i], exact[i] = True, is_exact
    if not found.any():
        raise DataError(f"{path!r} has none of the vocabulary's words; is it the right file?")
    std = float(table[found].std())
    rng = np.random.default_rng(seed)
    table[~found] = rng.normal(0.0, std, (int((~found).sum()), dim)).astype(np.float32)
    return table, int(found.sum())
