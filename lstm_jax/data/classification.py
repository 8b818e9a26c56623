"""The classification pipeline: labelled sentences from TSV/CSV tables, SST trees or TFDS
datasets, tokenized, encoded with a vocabulary built from the training split, bucketed.

Every reader returns ``list[tuple[str, int]]``: (text, class id). Nothing is dropped
silently: a bad label is an error naming the file and line, an empty text is skipped
and counted, and the count is printed. The vocabulary (or sentencepiece model) is kept in
the workdir, so evaluation and prediction encode as training did.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
from collections.abc import Sequence

import ml_collections
import numpy as np

from lstm_jax.data import batching, splits, text
from lstm_jax.data.text import read_text
from lstm_jax.data.tfds_text import as_text, open_split, tfds_splits
from lstm_jax.data.tokenizers import Tokenizer
from lstm_jax.data.word_vectors import load_vectors, vector_words
from lstm_jax.errors import ConfigError, DataError

Example = tuple[str, int]
# SST's PTB trees write brackets as tokens; GLUE's SST-2 writes them as text
_PTB_ESCAPES = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]"}


def label_id(value: str, class_names: Sequence[str], where: str) -> int:
    """A label written as a class id ("0".."C-1") or a class name."""
    value = value.strip()
    if value in class_names:
        return list(class_names).index(value)
    if value.lstrip("-").isdigit() and 0 <= int(value) < len(class_names):
        return int(value)
    raise DataError(
        f"{where}: label {value!r} is not one of the {len(class_names)} classes "
        f"{list(class_names)} (or ids 0..{len(class_names) - 1}); fix the file or "
        "config.data.class_names"
    )


def read_table(
    path: str, text_column: str, label_column: str, class_names: Sequence[str]
) -> tuple[list[Example], int]:
    """A TSV (``.tsv``) or CSV file with a header row -> (examples, empty texts skipped)."""
    content = read_text(path)
    delimiter = "," if path.removesuffix(".gz").endswith(".csv") else "\t"
    # GLUE's TSVs hold bare quotes inside sentences: TSV fields are never quoted
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    rows = csv.reader(io.StringIO(content), delimiter=delimiter, quoting=quoting)
    header = next(rows)
    missing = [c for c in (text_column, label_column) if c not in header]
    if missing:
        raise DataError(
            f"{path!r} has no column {missing[0]!r} (its header: {header}); set "
            "config.data.text_column / config.data.label_column"
        )
    ti, li = header.index(text_column), header.index(label_column)
    out, empty = [], 0
    for row in rows:
        line = rows.line_num
        if not row:
            continue
        if len(row) != len(header):
            other = "\t" if delimiter == "," else ","
            hint = " (mixed delimiters?)" if other in row[0] else ""
            raise DataError(
                f"{path}:{line}: {len(row)} fields where the header has {len(header)}{hint}; "
                f"a {'.tsv' if delimiter == chr(9) else '.csv'} file must use "
                f"{'tabs' if delimiter == chr(9) else 'commas'} throughout"
            )
        label = label_id(row[li], class_names, f"{path}:{line}")
        if not row[ti].strip():
            empty += 1
            continue
        out.append((row[ti].strip(), label))
    if not out:
        raise DataError(f"{path!r} has no labelled rows")
    return out, empty


def _parse_tree(line: str, where: str) -> list[tuple[int, list[str]]]:
    """``(3 (2 The) (4 good))`` -> [(label, leaves)] for every node, the root first."""
    tokens = re.findall(r"\(|\)|[^\s()]+", line)
    nodes: list[tuple[int, list[str]]] = []
    stack: list[tuple[int, list[str]]] = []
    i = 0
    try:
        while i < len(tokens):
            tok = tokens[i]
            if tok == "(":
                node = (int(tokens[i + 1]), [])
                nodes.append(node)
                stack.append(node)
                i += 2
            elif tok == ")":
                done = stack.pop()
                if stack:
                    stack[-1][1].extend(done[1])
                i += 1
            else:
                stack[-1][1].append(_PTB_ESCAPES.get(tok, tok))
                i += 1
    except (ValueError, IndexError):
        raise DataError(f"{where}: not a labelled PTB tree like '(3 (2 a) (4 b))'") from None
    if stack or not nodes:
        raise DataError(f"{where}: unbalanced brackets in the tree")
    return nodes


def read_sst_trees(path: str, num_classes: int, phrases: bool = False) -> tuple[list[Example], int]:
    """The Stanford Sentiment Treebank's PTB trees -> (examples, neutral items dropped).

    ``num_classes`` 5 keeps SST's labels 0-4; 2 drops neutral (2) and maps 0-1 to 0 and
    3-4 to 1 (the standard SST-2). ``phrases`` also yields every labelled phrase, as Tai et
    al. (2015) trained, deduplicated by text.
    """
    if num_classes not in (2, 5):
        raise ConfigError(f"SST trees give 2 or 5 classes, not {num_classes}")
    out, dropped, seen = [], 0, set()
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        nodes = _parse_tree(line, f"{path}:{n}")
        bad = [label for label, _ in nodes if not 0 <= label <= 4]
        if bad:
            raise DataError(f"{path}:{n}: SST label {bad[0]} is outside 0-4")
        for label, leaves in nodes if phrases else nodes[:1]:
            text = " ".join(leaves)
            if phrases:  # a phrase recurs across trees; a sentence is always kept
                if text in seen:
                    continue
                seen.add(text)
            if num_classes == 2:
                if label == 2:
                    dropped += 1
                    continue
                label = int(label > 2)
            out.append((text, label))
    if not out:
        raise DataError(f"{path!r} holds no trees")
    return out, dropped


def looks_like_trees(path: str) -> bool:
    head = read_text(path).lstrip()[:3]
    return bool(re.match(r"\(\d\s", head))


def read_tfds(
    name: str,
    split: str,
    data_dir: str | None,
    text_key: str,
    label_key: str,
    class_names: Sequence[str],
) -> tuple[list[Example], int]:
    """A TFDS classification split through ``builder.as_data_source`` (no TensorFlow) ->
    (examples, empty texts skipped). A dataset that is not prepared is an error, never a
    download."""
    source = open_split(name, split, data_dir)
    out, empty = [], 0
    for i, ex in enumerate(source):
        for key in (text_key, label_key):
            if key not in ex:
                raise DataError(f"TFDS {name!r} examples have no feature {key!r}: {sorted(ex)}")
        value = as_text(ex[text_key])
        label = int(ex[label_key])
        if label < 0:
            raise DataError(
                f"TFDS {name!r} split {split!r} is unlabelled (label {label}); GLUE's test "
                "splits have no labels: evaluate on a labelled split"
            )
        label = label_id(str(label), class_names, f"TFDS {name} {split}[{i}]")
        if not value.strip():
            empty += 1
            continue
        out.append((value.strip(), label))
    return out, empty


SPLITS = ("train", "valid", "test")


def class_names(d: ml_collections.ConfigDict) -> list[str]:
    names = [n.strip() for n in d.class_names.split(",") if n.strip()]
    if len(names) < 2:
        raise ConfigError(f"data.class_names must name >= 2 classes, got {d.class_names!r}")
    return names


def read_folder(path: str, class_names: Sequence[str]) -> tuple[list[Example], int]:
    """Keras' ``text_dataset_from_directory`` layout: ``path/<class>/<document>.txt`` (or
    ``.txt.gz``), one document per file, any number of lines (joined by spaces) ->
    (examples, empty documents skipped)."""
    out, empty = [], 0
    for label, name in enumerate(class_names):
        folder = os.path.join(path, name)
        files = sorted(f for f in os.listdir(folder) if f.endswith((".txt", ".txt.gz")))
        if not files:
            raise DataError(f"class folder {folder!r} has no .txt or .txt.gz documents")
        for f in files:
            try:
                document = read_text(os.path.join(folder, f))
            except DataError as e:
                if "is empty" not in str(e):
                    raise
                empty += 1
                continue
            out.append((" ".join(document.split()), label))
    return out, empty


def folder_classes(path: str, configured: Sequence[str]) -> list[str]:
    """A folder's class subfolders: in ``data.class_names`` order when that names exactly
    them, else sorted (as Keras does)."""
    found = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)))
    if len(found) < 2:
        raise DataError(
            f"{path!r} is a folder but has {len(found)} class subfolders; the layout is "
            f"{path}/<class>/<document>.txt with >= 2 classes"
        )
    if sorted(configured) == found:
        return list(configured)
    print(f"classes from the folders of {path}: {', '.join(found)}", flush=True)
    return found


def read_splits(
    d: ml_collections.ConfigDict, seed: int, workdir: str
) -> tuple[dict[str, list[Example]], list[str], dict | None]:
    """split -> examples, the class names, and the cut of one set into three (or None).

    From ``data.tfds``, or ``data.train/valid/test``: each a TSV/CSV table, SST trees or a
    folder of class subfolders. With ``data.valid`` and ``data.test`` empty, the training set
    is cut by ``data.valid_fraction`` / ``data.test_fraction``, stratified by label."""
    names = class_names(d)
    if not d.tfds and d.train and os.path.isdir(d.train):
        names = folder_classes(d.train, names)
    splits_ = tfds_splits(d) if d.tfds else []
    given = [s for s in SPLITS if d.tfds or d[s]]
    if "train" not in given:
        raise ConfigError("set config.data.train (a .tsv/.csv file, SST trees or a folder)")
    if given == ["train", "valid"]:
        raise ConfigError(
            "config.data.test is empty: set both data.valid and data.test, or neither "
            "(then data.valid_fraction and data.test_fraction cut them from data.train)"
        )
    out = {}
    for i, split in enumerate(given):
        if d.tfds:
            where = f"TFDS {d.tfds} {splits_[i]}"
            out[split], skipped = read_tfds(
                d.tfds, splits_[i], d.dir, d.text_column, d.label_column, names
            )
            what = "examples with an empty text skipped"
        else:
            where = d[split]
            if os.path.isdir(where):
                out[split], skipped = read_folder(where, names)
                what = "empty documents skipped"
            elif looks_like_trees(where):
                phrases = d.sst_phrases and split == "train"
                out[split], skipped = read_sst_trees(where, len(names), phrases)
                what = "neutral items dropped (SST-2)"
            else:
                out[split], skipped = read_table(where, d.text_column, d.label_column, names)
                what = "rows with an empty text skipped"
        if skipped:
            print(f"{split}: {skipped} {what} in {where}", flush=True)
    cut = None
    if "valid" not in given:  # one set, cut in three; a test file given later replaces its test
        whole, test = out["train"], out.get("test")
        labels = [y for _, y in whole]
        cut = splits.split(
            range(len(whole)), d.valid_fraction, d.test_fraction, seed, workdir, labels, d.train
        )
        out = splits.apply(whole, cut, test)
    return out, names, cut


def limit_train(examples: dict[str, list], limit: int, seed: int) -> dict[str, list]:
    """A random ``limit`` of the training examples, drawn with ``seed`` (0 = all): the
    learning-curve subsets, the same for the LSTM and the classical baselines."""
    if limit and limit < len(examples["train"]):
        keep = np.sort(np.random.default_rng(seed).choice(len(examples["train"]), limit, False))
        examples = dict(examples, train=[examples["train"][i] for i in keep])
        print(f"train: a random {limit} of the examples (seed {seed})")
    return examples


@dataclasses.dataclass
class ClassificationData(batching.Bucketed):
    """``seqs[split]``: int32 token ids per example; ``labels[split]``: int32[examples]."""

    class_names: list[str]
    tokenizer: Tokenizer
    vocab: text.Vocab
    seqs: dict[str, list[np.ndarray]]
    labels: dict[str, np.ndarray]
    embedding: np.ndarray | None  # float32[vocab, embed] pretrained vectors, if any
    batch_size: int
    eval_batch_size: int
    pad_multiple: int

    def lengths(self, split: str) -> list[int]:
        return [len(x) for x in self.seqs[split]]

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        """tokens, lengths, weights and labels of rows ``index`` of ``split``."""
        batch = batching.pad(self.seqs[split], index, self.pad_multiple)
        batch["labels"] = np.where(index >= 0, self.labels[split][index], 0).astype(np.int32)
        return batch


def load(config: ml_collections.ConfigDict, workdir: str) -> ClassificationData:
    d = config.data
    examples, names, one_set_cut = read_splits(d, config.seed, workdir)
    examples = limit_train(examples, d.train_limit, config.seed)
    tokenizer = Tokenizer(
        d.tokenizer, d.lowercase, workdir, [t for t, _ in examples["train"]], d.vocab_size
    )
    tokens = {s: [tokenizer(t) for t, _ in ex] for s, ex in examples.items()}
    if d.max_length:
        for split, toks in tokens.items():
            cut = sum(len(t) > d.max_length for t in toks)
            if cut:
                print(f"{split}: {cut} texts cut to {d.max_length} tokens", flush=True)
            tokens[split] = [t[: d.max_length] for t in toks]
    for split, toks in tokens.items():
        if not all(toks):
            n = sum(not t for t in toks)
            raise DataError(f"{split}: {n} texts have no tokens after tokenization")
    train_tokens = [t for toks in tokens["train"] for t in toks]
    cap = 0 if d.tokenizer == "sentencepiece" else d.vocab_size
    vocab = text.Vocab.build(train_tokens, cap, d.min_count)
    if d.vectors and d.vectors_vocab:
        # the vector file's other words get rows too: a valid/test word never seen in
        # training keeps its pretrained vector instead of becoming <unk> (<unk> stays last)
        seen = set(vocab.itos)
        more = [w for w in vector_words(d.vectors, config.model.embed) if w not in seen]
        vocab = text.Vocab([*vocab.itos[:-1], *dict.fromkeys(more), text.UNK])
    text.keep_vocabs(workdir, {"vocab.jsonl": vocab}, save=False)
    seqs, labels = {}, {}
    for split, toks in tokens.items():
        encoded = [vocab.encode(t) for t in toks]
        seqs[split] = [ids.astype(np.int32) for ids, _ in encoded]
        labels[split] = np.array([y for _, y in examples[split]], np.int32)
        oov = sum(n for _, n in encoded)
        if oov and split != "train":
            total = sum(len(t) for t in toks)
            print(f"{split}: {oov} of {total} tokens are not in the vocabulary", flush=True)
    embedding = None
    if d.vectors:
        embedding, found = load_vectors(d.vectors, vocab.itos, config.model.embed)
        print(f"pretrained vectors for {found} of {len(vocab)} words", flush=True)
    text.keep(workdir, {"vocab.jsonl": vocab}, [tokenizer], one_set_cut)  # all checks passed
    return ClassificationData(
        names,
        tokenizer,
        vocab,
        seqs,
        labels,
        embedding,
        config.batch_size,
        d.eval_batch_size,
        d.pad_multiple,
    )
