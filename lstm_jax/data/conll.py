"""CoNLL-style column files (CoNLL-2003 NER and the like), tag schemes, entity F1.

A file is sentences of one token per line, columns split on whitespace, sentences
separated by blank lines; ``-DOCSTART-`` lines are document breaks. Tag schemes:
``iob1`` (CoNLL-2003's original: B- only between two entities of one type), ``bio``
(IOB2: every entity starts with B-) and ``bioes`` (single-token S-, last token E-).
Entities are compared the CoNLL way (conlleval): an exact match of type and span.
"""

from __future__ import annotations

from collections.abc import Sequence

from lstm_jax.data.text import read_text
from lstm_jax.data.tfds_text import as_text, open_split
from lstm_jax.errors import DataError

SCHEMES = ("iob1", "bio", "bioes")
Sentence = tuple[list[str], list[str]]  # (tokens, tags)


def read_conll(path: str, tag_column: int = -1) -> list[Sentence]:
    """Sentences as (tokens, tags): tokens from the first column, tags from ``tag_column``."""
    sentences: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    width = None
    for n, line in enumerate(read_text(path).splitlines(), 1):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            if tokens:
                sentences.append((tokens, tags))
                tokens, tags = [], []
            continue
        width = width or len(cols)
        if len(cols) != width or len(cols) < 2:
            raise DataError(
                f"{path}:{n}: {len(cols)} columns where the file's lines have {width} "
                "(token ... tag, split on whitespace)"
            )
        tokens.append(cols[0])
        tags.append(cols[tag_column])
    if tokens:
        sentences.append((tokens, tags))
    if not sentences:
        raise DataError(f"{path!r} holds no sentences")
    return sentences


def read_tfds_conll(name: str, split: str, data_dir: str | None, tag_key: str) -> list[Sentence]:
    """A TFDS tagging dataset (``conll2003``: ``tokens`` and the ``ner`` class labels, BIO)."""
    source = open_split(name, split, data_dir)
    try:
        names = source.dataset_info.features[tag_key].feature.names
    except (AttributeError, KeyError):
        raise DataError(f"TFDS {name!r} has no sequence-of-labels feature {tag_key!r}") from None
    out = []
    for i, ex in enumerate(source):
        tokens = [as_text(t) for t in ex["tokens"]]
        tags = [names[int(t)] for t in ex[tag_key]]
        if len(tokens) != len(tags):
            raise DataError(
                f"TFDS {name!r} {split}[{i}] has {len(tokens)} tokens but {len(tags)} tags"
            )
        if tokens:
            out.append((tokens, tags))
    return out


def _split(tag: str) -> tuple[str, str]:
    if tag == "O":
        return "O", ""
    if len(tag) < 3 or tag[1] != "-" or tag[0] not in "BIES":
        raise DataError(f"tag {tag!r} is not O or B-/I-/E-/S- plus a type")
    return tag[0], tag[2:]


def spans(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """Entities as (type, first, last) token indices, for any of the three schemes.

    Follows conlleval: a chunk starts at B-/S-, or at I-/E- whose type differs from the
    previous tag's; it ends before a B-/S-/O or a tag of another type, or after E-/S-.
    """
    out, start, kind = set(), None, ""
    parsed = [_split(t) for t in tags]
    for i, (prefix, typ) in enumerate(parsed):
        begins = prefix in "BS" or (prefix in "IE" and (start is None or typ != kind))
        if start is not None and (prefix == "O" or begins):
            out.add((kind, start, i - 1))
            start = None
        if prefix != "O" and start is None:
            start, kind = i, typ
        if prefix in "ES" and start is not None:
            out.add((kind, start, i))
            start = None
    if start is not None:
        out.add((kind, start, len(tags) - 1))
    return out


def convert(tags: Sequence[str], source: str, target: str) -> list[str]:
    """Tags from one scheme to another, through their entity spans."""
    for s in (source, target):
        if s not in SCHEMES:
            raise DataError(f"unknown tag scheme {s!r}; choose one of {SCHEMES}")
    out = ["O"] * len(tags)
    previous_end = {}
    for typ, a, b in sorted(spans(tags), key=lambda x: x[1]):
        if target == "bioes" and a == b:
            out[a] = f"S-{typ}"
            continue
        # IOB1 writes B- only where an entity directly follows one of the same type
        first = "I" if target == "iob1" and previous_end.get(typ) != a - 1 else "B"
        out[a] = f"{first}-{typ}"
        for i in range(a + 1, b + 1):
            out[i] = f"I-{typ}"
        if target == "bioes":
            out[b] = f"E-{typ}"
        previous_end[typ] = b
    return out


def entity_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over exact entity matches, as conlleval reports."""
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred, strict=True):
        gs, ps = spans(g), spans(p)
        tp += len(gs & ps)
        n_gold += len(gs)
        n_pred += len(ps)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
