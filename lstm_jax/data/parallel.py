"""The translation pipeline: parallel text from a file per language (line i translates
line i), one file of tab-separated pairs (gzip accepted) or a TFDS dataset; subword or word
tokens over vocabularies built from the training split; batches bucketed by length.

Nothing is dropped silently: line-count mismatches are errors naming both files, empty
pairs are skipped and counted, over-long training pairs are cut or dropped and counted.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os

import ml_collections
import numpy as np

from lstm_jax.data import batching, splits, text
from lstm_jax.data.text import read_text
from lstm_jax.data.tfds_text import as_text, open_split, tfds_splits
from lstm_jax.data.tokenizers import Tokenizer
from lstm_jax.errors import ConfigError, DataError

Pair = tuple[str, str]


def read_lines(path: str) -> list[str]:
    """A text file's lines (``.gz`` decompressed); missing, empty or non-UTF-8 is an error."""
    text = read_text(path)
    return text.rstrip("\n").split("\n")


def read_pairs(
    source: str, target: str = "", columns: tuple[int, int] = (0, 1), langs: tuple[str, str] = ()
) -> tuple[list[Pair], int]:
    """(source, target) sentence pairs and how many were skipped for an empty side.

    With ``target`` empty, ``source`` is one table of pairs: tab-separated, or a ``.csv``;
    ``columns`` are the source and target columns (further ones, as Tatoeba's attribution,
    are ignored). A first row that names both ``langs`` is a header and picks the columns.
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
        content = read_text(source)
        if source.removesuffix(".gz").endswith(".csv"):
            table = list(csv.reader(io.StringIO(content)))
        else:
            table = [line.split("\t") for line in content.rstrip("\n").split("\n")]
        first = 1
        if langs and table and set(langs) <= set(table[0]):  # a header names the languages
            columns = (table[0].index(langs[0]), table[0].index(langs[1]))
            first = 2
        rows = []
        for n, parts in enumerate(table[first - 1 :], first):
            if len(parts) <= max(columns):
                raise DataError(
                    f"{source}:{n}: {len(parts)} column(s), but data.source_column / "
                    f"data.target_column are {columns[0]} / {columns[1]}; a pairs file holds "
                    "source<TAB>target (or a .csv)"
                )
            rows.append((parts[columns[0]], parts[columns[1]]))
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


SPLITS = ("train", "valid", "test")
PAD, BOS, EOS = "<pad>", "<s>", "</s>"


def read_splits(d, seed: int, workdir: str) -> tuple[dict[str, list[Pair]], dict | None]:
    """split -> (source, target) pairs, from ``data.tfds`` or ``data.dir`` + split paths,
    and the cut of one file into three (or None): with ``data.valid`` and ``data.test``
    empty, ``data.train`` is cut by ``data.valid_fraction`` / ``data.test_fraction``, every
    occurrence of a source sentence in one split."""
    src, tgt = d.source_lang, d.target_lang
    given = [s for s in SPLITS if d.tfds or d[s]]
    if "train" not in given or given == ["train", "valid"]:
        raise ConfigError(
            "set config.data.train (a path with {lang}, or a .tsv/.csv of pairs) and either "
            "both data.valid and data.test or neither (then cut by data.valid_fraction and "
            "data.test_fraction)"
        )
    splits_ = tfds_splits(d) if d.tfds else []
    out = {}
    for i, split in enumerate(given):
        if d.tfds:
            out[split], skipped = read_tfds_pairs(d.tfds, splits_[i], d.dir, src, tgt)
        else:
            path = os.path.join(d.dir, d[split])
            if "{lang}" in path:
                out[split], skipped = read_pairs(path.format(lang=src), path.format(lang=tgt))
            else:
                cols = (d.source_column, d.target_column)
                out[split], skipped = read_pairs(path, columns=cols, langs=(src, tgt))
        if skipped:
            print(f"{split}: {skipped} pairs with an empty side skipped", flush=True)
    if d.max_words:  # data.train only (before a one-file cut): a given test set is kept whole
        whole = out["train"]
        out["train"] = [
            p for p in whole if max(len(p[0].split()), len(p[1].split())) <= d.max_words
        ]
        if len(out["train"]) < len(whole):
            print(f"train: {len(whole) - len(out['train'])} pairs over {d.max_words} words dropped")
    if "valid" in given:
        return out, None
    # one file, cut in three; a test file given later (evaluate(path)) replaces its test
    whole, test = out["train"], out.get("test")
    groups = [s for s, _ in whole]
    cut = splits.split(groups, d.valid_fraction, d.test_fraction, seed, workdir, what=d.train)
    return splits.apply(whole, cut, test), cut


def _vocab(tokens: list[list[str]], size: int, min_count: int) -> text.Vocab:
    built = text.Vocab.build([t for seq in tokens for t in seq], size, min_count)
    return text.Vocab([PAD, BOS, EOS, *built.itos])


@dataclasses.dataclass
class TranslationData(batching.Bucketed):
    """``src``/``tgt[split]``: int32 token ids per sentence; ``sources``/``references``:
    the untouched text, for decoding and sacreBLEU."""

    tok_src: Tokenizer
    tok_tgt: Tokenizer
    src_vocab: text.Vocab
    tgt_vocab: text.Vocab
    src: dict[str, list[np.ndarray]]
    tgt: dict[str, list[np.ndarray]]
    sources: dict[str, list[str]]
    references: dict[str, list[str]]
    batch_size: int
    eval_batch_size: int
    pad_multiple: int

    def lengths(self, split: str) -> list[int]:
        if split == "train":  # the decoder reads one more token (</s>) than the target
            return [
                max(len(s), len(t) + 1)
                for s, t in zip(self.src[split], self.tgt[split], strict=True)
            ]
        return [len(s) for s in self.src[split]]

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        mult = self.pad_multiple
        src = batching.pad(self.src[split], index, mult)
        eos, bos = self.tgt_vocab.stoi[EOS], self.tgt_vocab.stoi[BOS]
        tgt_out = [np.append(t, eos) for t in self.tgt[split]]
        out = batching.pad(tgt_out, index, mult)
        tgt_in = np.concatenate([np.full((len(index), 1), bos, np.int32), out["tokens"][:, :-1]], 1)
        mask = np.arange(out["tokens"].shape[1])[None, :] < out["lengths"][:, None]
        return {
            "source": src["tokens"],
            "source_lengths": src["lengths"],
            "target_in": tgt_in,
            "target_out": out["tokens"],
            "target_weights": (mask * out["weights"][:, None]).astype(np.float32),
        }


def load(config: ml_collections.ConfigDict, workdir: str) -> TranslationData:
    d = config.data
    pairs, one_file_cut = read_splits(d, config.seed, workdir)
    train_src = [s for s, _ in pairs["train"]]
    train_tgt = [t for _, t in pairs["train"]]
    size = d.vocab_size if d.tokenizer == "sentencepiece" else 0
    if d.joint_vocab:
        tok_src = tok_tgt = Tokenizer(
            d.tokenizer, d.lowercase, workdir, train_src + train_tgt, size
        )
    else:
        tok_src = Tokenizer(
            d.tokenizer, d.lowercase, workdir, train_src, size, name="spm.source.model"
        )
        tok_tgt = Tokenizer(
            d.tokenizer, d.lowercase, workdir, train_tgt, size, name="spm.target.model"
        )
    toks = {s: ([tok_src(a) for a, _ in p], [tok_tgt(b) for _, b in p]) for s, p in pairs.items()}
    n = d.max_length
    src_tr, tgt_tr = toks["train"]
    long = [i for i in range(len(src_tr)) if max(len(src_tr[i]), len(tgt_tr[i])) > n]
    if long:
        verb = "dropped" if d.too_long == "drop" else "truncated"
        print(f"train: {len(long)} pairs longer than {n} tokens {verb}", flush=True)
        if d.too_long == "drop":
            drop = set(long)
            keep = [i for i in range(len(src_tr)) if i not in drop]
            toks["train"] = ([src_tr[i] for i in keep], [tgt_tr[i] for i in keep])
    cap = 0 if d.tokenizer == "sentencepiece" else d.vocab_size
    src_vocab = _vocab(toks["train"][0], cap, d.min_count)
    tgt_vocab = _vocab(toks["train"][1], cap, d.min_count)
    vocabs = {"vocab.source.jsonl": src_vocab, "vocab.target.jsonl": tgt_vocab}
    text.keep_vocabs(workdir, vocabs, save=False)
    src, tgt = {}, {}
    for split, (ss, ts) in toks.items():
        cut = sum(len(s) > n for s in ss)
        if cut and split != "train":
            print(f"{split}: {cut} source sentences cut to {n} tokens", flush=True)
        src[split] = [src_vocab.encode(s[:n])[0].astype(np.int32) for s in ss]
        tgt[split] = [tgt_vocab.encode(t[:n])[0].astype(np.int32) for t in ts]
    text.keep(workdir, vocabs, [tok_src, tok_tgt], one_file_cut)  # every check has passed
    return TranslationData(
        tok_src,
        tok_tgt,
        src_vocab,
        tgt_vocab,
        src,
        tgt,
        {s: [a for a, _ in p] for s, p in pairs.items()},
        {s: [b for _, b in p] for s, p in pairs.items()},
        config.batch_size,
        d.eval_batch_size,
        d.pad_multiple,
    )
