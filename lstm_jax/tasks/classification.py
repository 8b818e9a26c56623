"""Sentence classification (task ``classify``): SST-2, SST-5, IMDB, any labelled table.

Each split comes from a TSV/CSV file, an SST tree file or a TFDS dataset. The vocabulary
(or a sentencepiece model) is built from the training split and kept in the workdir.
Batches are bucketed by length. Metrics: accuracy, macro-F1 and a confusion matrix,
written as ``confusion_{split}.json`` in the workdir (rows: true class, columns:
predicted).
"""

from __future__ import annotations

import json
import os
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lstm_jax.data import batching, text
from lstm_jax.data import classification as cls_data
from lstm_jax.data.tokenizers import Tokenizer
from lstm_jax.data.word_vectors import load_vectors
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.models.classifier import TextClassifier
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task, check_positive, tfds_splits

SPLITS = ("train", "valid", "test")
VOCAB_FILE = "vocab.jsonl"


def class_names(d) -> list[str]:
    names = [n.strip() for n in d.class_names.split(",") if n.strip()]
    if len(names) < 2:
        raise ConfigError(f"data.class_names must name >= 2 classes, got {d.class_names!r}")
    return names


def read_splits(d) -> dict[str, list[cls_data.Example]]:
    """split -> examples, from ``data.tfds`` or the files ``data.train/valid/test``."""
    names = class_names(d)
    splits = tfds_splits(d) if d.tfds else []
    out = {}
    for i, split in enumerate(SPLITS):
        if d.tfds:
            where = f"TFDS {d.tfds} {splits[i]}"
            out[split], skipped = cls_data.read_tfds(
                d.tfds, splits[i], d.dir, d.text_column, d.label_column, names
            )
            what = "examples with an empty text skipped"
        else:
            where = d[split]
            if not where:
                raise ConfigError(f"set config.data.{split} (a .tsv, .csv or SST tree file)")
            if cls_data.looks_like_trees(where):
                phrases = d.sst_phrases and split == "train"
                out[split], skipped = cls_data.read_sst_trees(where, len(names), phrases)
                what = "neutral items dropped (SST-2)"
            else:
                out[split], skipped = cls_data.read_table(
                    where, d.text_column, d.label_column, names
                )
                what = "rows with an empty text skipped"
        if skipped:
            print(f"{split}: {skipped} {what} in {where}", flush=True)
    return out


def limit_train(examples: dict[str, list], limit: int, seed: int) -> dict[str, list]:
    """A random ``limit`` of the training examples, drawn with ``seed`` (0 = all): the
    learning-curve subsets, the same for the LSTM and the classical baselines."""
    if limit and limit < len(examples["train"]):
        keep = np.sort(np.random.default_rng(seed).choice(len(examples["train"]), limit, False))
        examples = dict(examples, train=[examples["train"][i] for i in keep])
        print(f"train: a random {limit} of the examples (seed {seed})")
    return examples


def confusion_summary(conf: np.ndarray) -> dict[str, float]:
    """conf: float[classes, classes] (rows true, columns predicted, any scale) -> accuracy
    and macro-F1 (a class never predicted and never present counts as F1 0)."""
    conf = np.asarray(conf, np.float64)
    tp = np.diag(conf)
    precision = tp / np.maximum(conf.sum(0), 1e-12)
    recall = tp / np.maximum(conf.sum(1), 1e-12)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return {"accuracy": float(tp.sum() / conf.sum()), "macro_f1": float(f1.mean())}


@register("classify")
class ClassificationTask(Task):
    eval_metric = "accuracy"
    eval_mode = "max"

    def setup(self, config, workdir):
        d = config.data
        for key in ("data.pad_multiple", "data.eval_batch_size"):
            check_positive(config, key)
        self.config, self.workdir = config, workdir
        self.class_names = class_names(d)
        examples = limit_train(read_splits(d), d.train_limit, config.seed)
        self.tokenizer = Tokenizer(
            d.tokenizer, d.lowercase, workdir, [t for t, _ in examples["train"]], d.vocab_size
        )
        tokens = {s: [self.tokenizer(t) for t, _ in ex] for s, ex in examples.items()}
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
        built = text.Vocab.build(train_tokens, cap, d.min_count)
        path = os.path.join(workdir, VOCAB_FILE)
        if os.path.exists(path):
            text.check_vocab(text.Vocab.load(path), built, path)
        self.vocab = built
        self.seqs, self.labels = {}, {}
        for split, toks in tokens.items():
            encoded = [built.encode(t) for t in toks]
            self.seqs[split] = [ids.astype(np.int32) for ids, _ in encoded]
            self.labels[split] = np.array([y for _, y in examples[split]], np.int32)
            oov = sum(n for _, n in encoded)
            if oov and split != "train":
                total = sum(len(t) for t in toks)
                print(f"{split}: {oov} of {total} tokens are not in the vocabulary", flush=True)
        self.embedding = None
        if d.vectors:
            self.embedding, found = load_vectors(d.vectors, built.itos, config.model.embed)
            print(f"pretrained vectors for {found} of {len(built)} words", flush=True)
        d.steps_per_epoch = -(-len(self.seqs["train"]) // config.batch_size)
        if jax.process_index() == 0 and not os.path.exists(path):  # once all checks pass
            os.makedirs(workdir, exist_ok=True)
            self.tokenizer.save(workdir)
            built.save(path)

    def make_model(self, config, rngs):
        m = config.model
        return TextClassifier(
            len(self.vocab),
            len(self.class_names),
            m.embed,
            m.hidden_features,
            m.num_layers,
            bidirectional=m.bidirectional,
            pooling=m.pooling,
            mlp=(m.mlp_features,) if m.mlp_features else (),
            dropout=m.dropout,
            embed_dropout=m.embed_dropout,
            word_dropout=m.word_dropout,
            unk_id=self.vocab.stoi[text.UNK],
            embedding=self.embedding,
            rngs=rngs,
        )

    def _batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        batch = batching.pad(self.seqs[split], index, self.config.data.pad_multiple)
        batch["labels"] = np.where(index >= 0, self.labels[split][index], 0).astype(np.int32)
        return batch

    def train_iter(self, config, seed):
        lengths = [len(s) for s in self.seqs["train"]]
        make = lambda index: self._batch("train", index)
        return batching.BucketIterator(lengths, config.batch_size, seed, make_batch=make)

    def eval_batches(self, config, split):
        lengths = [len(s) for s in self.seqs[split]]
        return [
            self._batch(split, idx)
            for idx in batching.fixed_batches(lengths, config.data.eval_batch_size)
        ]

    def num_tokens(self, batch):
        return int(batch["lengths"] @ batch["weights"])

    def loss(self, model, batch, carry):
        logits = model(batch["tokens"], batch["lengths"])
        labels, w = batch["labels"], batch["weights"]
        n = jnp.sum(w)
        nll = optax.softmax_cross_entropy_with_integer_labels(logits, labels)
        mean = jnp.sum(nll * w) / jnp.maximum(n, 1.0)
        pred = jnp.argmax(logits, -1)
        c = logits.shape[-1]
        conf = jnp.einsum(
            "b,bi,bj->ij", w, jax.nn.one_hot(labels, c), jax.nn.one_hot(pred, c)
        ) / jnp.maximum(n, 1.0)
        acc = jnp.trace(conf)
        return mean, ({"nll": mean, "accuracy": acc, "confusion": conf, "weight": n}, carry)

    def summarize(self, metrics, config, split="valid"):
        conf = np.asarray(metrics.pop("confusion"))
        out = dict(metrics, **confusion_summary(conf))
        if jax.process_index() == 0 and os.path.isdir(self.workdir):
            counts = np.rint(conf * len(self.labels[split])).astype(int)
            record = {"classes": self.class_names, "rows": "true", "matrix": counts.tolist()}
            record.update(out)
            tmp = os.path.join(self.workdir, f".confusion_{split}.json")
            with open(tmp, "w") as f:
                json.dump(record, f, indent=1)
            shutil.move(tmp, os.path.join(self.workdir, f"confusion_{split}.json"))
        return out

    def baseline(self, config):
        """Always predicting the training split's most frequent class."""
        majority = np.bincount(self.labels["train"]).argmax()
        return {"accuracy": float(np.mean(self.labels["test"] == majority))}

    def describe(self, metrics, config, split):
        return (
            f"classify ({len(self.class_names)} classes): {split} accuracy "
            f"{metrics['accuracy']:.2%}, macro-F1 {metrics['macro_f1']:.4f}; confusion matrix: "
            f"{os.path.join(self.workdir, f'confusion_{split}.json')}"
        )

    def predict(self, model, config, inputs):
        """One line per input: the predicted class, every class's probability, the text."""
        if not inputs:
            raise ConfigError("give sentences to classify as arguments or with --input=FILE")
        n = config.data.max_length
        ids = [text.encode_input(self.vocab, self.tokenizer(s), n) for s in inputs]
        batch = batching.pad(ids, np.arange(len(ids)), config.data.pad_multiple)
        probs = np.asarray(jax.nn.softmax(model(batch["tokens"], batch["lengths"]), -1))
        out = []
        for s, p in zip(inputs, probs, strict=True):
            ps = " ".join(f"{n}={q:.3f}" for n, q in zip(self.class_names, p, strict=True))
            out.append(f"{self.class_names[int(p.argmax())]}\t{ps}\t{s}")
        return out
