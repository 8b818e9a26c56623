"""Parallel text for translation: a file per language (line i translates line i), or one
file of tab-separated pairs; gzip accepted. Nothing is dropped silently: line-count
mismatches are errors naming both files, empty pairs are skipped and counted."""

from __future__ import annotations

from lstm_jax.data.text import read_text
from lstm_jax.errors import DataError

Pair = tuple[str, str]


def read_lines(path: str) -> list[str]:
    """A text file's lines (``.gz`` decompressed); missing, empty or non-UTF-8 is an error."""
    text = read_text(path)
    return text.rstrip("\n").split("\n")


def read_pairs(source: str, target: str = "") -> tuple[list[Pair], int]:
    """(source, target) sentence pairs and how many were skipped for an empty side.

    With ``target`` empty, ``source`` is one file of ``source<TAB>target`` lines (further
    columns, as in Tatoeba's attribution column, are ignored).
    """
    if target:
        src, tgt = read_lines(source), read_lines(target)
        if len(src) != len(tgt):
            raise DataError(
                f"{source!r} has {len(src)} lines but {target!r} has {len(tgt)}; parallel "
                "files must align line by line"
            )
        rows = list(zip(src, tgt, strict=True))
    else:
        rows = []
        for n, line in enumerate(read_lines(source), 1):
            parts = line.split("\t")
            if len(parts) < 2:
                raise DataError(f"{source}:{n}: no tab; a pairs file holds source<TAB>target")
            rows.append((parts[0], parts[1]))
    pairs = [(s.strip(), t.strip()) for s, t in rows]
    kept = [(s, t) for s, t in pairs if s and t]
    if not kept:
        raise DataError(f"{source!r} holds no sentence pairs")
    return kept, len(pairs) - len(kept)
