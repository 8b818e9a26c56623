"""Parallel text for translation: a file per language (line i translates line i), or one
file of tab-separated pairs; gzip accepted. Nothing is dropped silently: line-count
mismatches are errors naming both files, empty pairs are skipped and counted."""

from __future__ import annotations

from lstm_jax.data.text import read_text
from lstm_jax.data.tfds_text import as_text, open_split
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


def read_tfds_pairs(
    name: str, split: str, data_dir: str | None, source_key: str, target_key: str
) -> tuple[list[Pair], int]:
    """A TFDS translation split (``wmt14_translate/de-en``, ``ted_hrlr_translate/pt_to_en``)
    -> (pairs, pairs skipped for an empty side)."""
    pairs = []
    for ex in open_split(name, split, data_dir):
        if source_key not in ex or target_key not in ex:
            raise DataError(
                f"TFDS {name!r} has features {sorted(ex)}; set data.source_lang and "
                "data.target_lang to two of them"
            )
        pairs.append((as_text(ex[source_key]).strip(), as_text(ex[target_key]).strip()))
    kept = [(s, t) for s, t in pairs if s and t]
    if not kept:
        raise DataError(f"TFDS {name!r} split {split!r} holds no sentence pairs")
    return kept, len(pairs) - len(kept)
