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

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lstm_jax.data import batching, text
from lstm_jax.data import classification as cls_data
from lstm_jax.models.classifier import TextClassifier
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task


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
    keys = {
        "data": {
            "train": "",  # .tsv/.csv with a header, SST trees, or a folder of class folders
            "valid": "",  # valid and test empty: cut from train by the fractions below
            "test": "",
            "valid_fraction": 0.1,  # stratified by label, seeded; kept in workdir/split.json
            "test_fraction": 0.1,
            "text_column": "sentence",  # also the TFDS text feature
            "label_column": "label",
            "class_names": "negative,positive",  # labels are these names or ids 0..C-1
            "sst_phrases": False,  # SST trees for train: every labelled phrase (Tai et al.)
            "train_limit": 0,  # train on a random subset of this many examples (0 = all)
            "tfds": "",  # or a TFDS dataset (glue/sst2, imdb_reviews), prepared in data.dir
            "tfds_splits": "train,validation,test",
            "dir": "",
            "tokenizer": "word",  # word (whitespace) | wordpunct | sentencepiece
            "lowercase": True,
            "vocab_size": 0,  # 0 = every training word; sentencepiece: its vocabulary size
            "min_count": 1,
            "max_length": 400,  # tokens kept per text (0 = all); cuts are counted and printed
            "pad_multiple": 8,  # batch widths round up to this: few shapes to compile
            "eval_batch_size": 256,
            "vectors": "",  # a word2vec/GloVe text file to start the embedding from
            # also a row for every other word of that file (valid/test words unseen in
            # training keep their vector, not <unk>); data.vocab_size caps only the rest
            "vectors_vocab": False,
        }
    }
    positive = ("data.pad_multiple", "data.eval_batch_size")
    choices = {"data.tokenizer": ("word", "wordpunct", "sentencepiece")}

    def load(self, config, workdir):
        self.workdir = workdir
        self.data = cls_data.load(config, workdir)
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return TextClassifier(
            len(self.data.vocab),
            len(self.data.class_names),
            m.embed,
            m.hidden_features,
            m.num_layers,
            bidirectional=m.bidirectional,
            pooling=m.pooling,
            mlp=(m.mlp_features,) if m.mlp_features else (),
            dropout=m.dropout,
            embed_dropout=m.embed_dropout,
            word_dropout=m.word_dropout,
            unk_id=self.data.vocab.stoi[text.UNK],
            embedding=self.data.embedding,
            dtype=config.dtype,
            rngs=rngs,
        )

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
        counts = np.rint(conf * len(self.data.labels[split])).astype(int)
        record = {"classes": self.data.class_names, "rows": "true", "matrix": counts.tolist()}
        record.update(out)
        return dict(out, outputs={f"confusion_{split}.json": json.dumps(record, indent=1)})

    def baseline(self, config):
        """Always predicting the training split's most frequent class."""
        majority = np.bincount(self.data.labels["train"]).argmax()
        return {"accuracy": float(np.mean(self.data.labels["test"] == majority))}

    def describe(self, metrics, config, split):
        return (
            f"classify ({len(self.data.class_names)} classes): {split} accuracy "
            f"{metrics['accuracy']:.2%}, macro-F1 {metrics['macro_f1']:.4f}; confusion matrix: "
            f"{os.path.join(self.workdir, f'confusion_{split}.json')}"
        )

    def predict(self, model, config, inputs):
        """One line per input: the predicted class, every class's probability, the text."""
        n, vocab = config.data.max_length, self.data.vocab
        inputs = self.sentences(inputs, "classify")
        ids = [text.encode_input(vocab, self.data.tokenizer(s), n) for s in inputs]
        batch = batching.pad(ids, np.arange(len(ids)), config.data.pad_multiple)
        probs = np.asarray(jax.nn.softmax(model(batch["tokens"], batch["lengths"]), -1))
        out = []
        for s, p in zip(inputs, probs, strict=True):
            ps = " ".join(f"{n}={q:.3f}" for n, q in zip(self.data.class_names, p, strict=True))
            out.append(f"{self.data.class_names[int(p.argmax())]}\t{ps}\t{s}")
        return out
