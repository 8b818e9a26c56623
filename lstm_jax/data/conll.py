"""CoNLL-style column files (CoNLL-2003 NER and the like), tag schemes, entity F1.

A file is sentences of one token per line, columns split on whitespace, sentences
separated by blank lines; ``-DOCSTART-`` lines are document breaks. Tag schemes:
``iob1`` (CoNLL-2003's original: B- only between two entities of one type), ``bio``
(IOB2: every entity starts with B-) and ``bioes`` (single-token S-, last token E-).
Entities are compared the CoNLL way (conlleval): an exact match of type and span.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence

import ml_collections
import numpy as np

from lstm_jax.data import batching, text
from lstm_jax.data.text import read_text
from lstm_jax.data.tfds_text import as_text, open_split, tfds_splits
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


SPLITS = ("train", "valid", "test")
Encoded = tuple[np.ndarray, list[np.ndarray], "np.ndarray | None"]  # words, chars, tags


def fold(word: str, lowercase: bool, zero_digits: bool) -> str:
    """The form a word is looked up in: Lample et al. fold every digit to 0."""
    word = word.lower() if lowercase else word
    return re.sub(r"\d", "0", word) if zero_digits else word


@dataclasses.dataclass
class TaggingData(batching.Bucketed):
    """``sentences[split]``: (tokens, tags in ``data.train_scheme``); ``encoded[split]``:
    (word ids, character ids per word, tag ids) of each."""

    sentences: dict[str, list[Sentence]]
    words: text.Vocab
    chars: text.Vocab
    tags: text.Vocab
    encoded: dict[str, list[Encoded]]
    lowercase: bool
    zero_digits: bool
    max_word_length: int
    batch_size: int
    eval_batch_size: int
    pad_multiple: int

    def encode(self, toks: Sequence[str], tags: Sequence[str] | None = None) -> Encoded:
        folded = [fold(w, self.lowercase, self.zero_digits) for w in toks]
        words = self.words.encode(folded)[0].astype(np.int32)
        n = self.max_word_length
        chars = [self.chars.encode(list(w[:n]))[0].astype(np.int32) for w in toks]
        tag_ids = None if tags is None else np.array([self.tags.stoi[t] for t in tags], np.int32)
        return words, chars, tag_ids

    def lengths(self, split: str) -> list[int]:
        return [len(it[0]) for it in self.encoded[split]]

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        return self.make_batch(self.encoded[split], index)

    def make_batch(self, items: Sequence[Encoded], index: np.ndarray) -> dict[str, np.ndarray]:
        """Rows ``index`` of encoded sentences ``items`` (-1: a weight-0 filler row)."""
        words = batching.pad([it[0] for it in items], index, self.pad_multiple)
        b, t = words["tokens"].shape
        chars = np.zeros((b, t, self.max_word_length), np.int32)
        char_lengths = np.zeros((b, t), np.int32)
        tags = np.zeros((b, t), np.int32)
        for row, i in enumerate(index):
            if i < 0:
                continue
            _, cs, tg = items[i]
            for j, c in enumerate(cs):
                chars[row, j, : len(c)] = c
                char_lengths[row, j] = len(c)
            if tg is not None:
                tags[row, : len(tg)] = tg
        return {
            "words": words["tokens"],
            "lengths": words["lengths"],
            "weights": words["weights"],
            "chars": chars,
            "char_lengths": char_lengths,
            "tags": tags,
        }


def load(config: ml_collections.ConfigDict, workdir: str) -> TaggingData:
    d = config.data
    sentences = {}
    splits = tfds_splits(d) if d.tfds else []
    for i, split in enumerate(SPLITS):
        if d.tfds:  # TFDS conll2003 stores BIO tags: set data.scheme=bio
            sents = read_tfds_conll(d.tfds, splits[i], d.dir, d.tfds_tags)
        else:
            sents = read_conll(os.path.join(d.dir, d[split]), d.tag_column)
        sentences[split] = [(toks, convert(tags, d.scheme, d.train_scheme)) for toks, tags in sents]
    train = sentences["train"]
    words = [fold(w, d.lowercase, d.zero_digits) for toks, _ in train for w in toks]
    tag_names = sorted({t for _, tags in train for t in tags})
    vocabs = {
        "vocab.words.jsonl": text.Vocab.build(words, d.vocab_size, d.min_count),
        "vocab.chars.jsonl": text.Vocab.build([c for toks, _ in train for w in toks for c in w]),
        "vocab.tags.jsonl": text.Vocab(["O", *[t for t in tag_names if t != "O"]]),
    }
    for split in ("valid", "test"):
        unseen = {t for _, tags in sentences[split] for t in tags} - set(tag_names)
        if unseen:
            raise DataError(
                f"{split} ({d[split]}) has tags the training data never has: "
                f"{sorted(unseen)}; tagging cannot predict them"
            )
    text.keep_vocabs(workdir, vocabs, save=False)
    data = TaggingData(
        sentences,
        *vocabs.values(),
        {},
        d.lowercase,
        d.zero_digits,
        d.max_word_length,
        config.batch_size,
        d.eval_batch_size,
        d.pad_multiple,
    )
    data.encoded = {s: [data.encode(t, g) for t, g in v] for s, v in sentences.items()}
    text.keep_vocabs(workdir, vocabs)  # every check has passed
    return data
