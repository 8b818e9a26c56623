"""Sequence tagging (task ``tag``): named entities from CoNLL-style column files.

The files' tags (``data.scheme``, CoNLL-2003's original is IOB1) are converted to the
scheme the model predicts (``data.train_scheme``, BIOES as Lample et al.). Entity
precision, recall and F1 are computed the conlleval way on the decoded split (Viterbi
with a CRF); validation F1 picks the best checkpoint.
"""

from __future__ import annotations

import os
import re

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lstm_jax.data import batching, conll, text
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.models.tagger import Tagger
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task, check_positive, tfds_splits

SPLITS = ("train", "valid", "test")


@register("tag")
class TaggingTask(Task):
    eval_metric = "f1"
    eval_mode = "max"

    def _word(self, w: str) -> str:
        d = self.config.data
        w = w.lower() if d.lowercase else w
        return re.sub(r"\d", "0", w) if d.zero_digits else w  # Lample et al.'s digit folding

    def setup(self, config, workdir):
        d = config.data
        for key in ("data.pad_multiple", "data.eval_batch_size", "data.max_word_length"):
            check_positive(config, key)
        for s in (d.scheme, d.train_scheme):
            if s not in conll.SCHEMES:
                raise ConfigError(f"unknown tag scheme {s!r}; choose one of {conll.SCHEMES}")
        self.config, self.workdir = config, workdir
        self.sentences = {}
        splits = tfds_splits(d) if d.tfds else []
        for i, split in enumerate(SPLITS):
            if d.tfds:  # TFDS conll2003 stores BIO tags: set data.scheme=bio
                sents = conll.read_tfds_conll(d.tfds, splits[i], d.dir, d.tfds_tags)
            else:
                sents = conll.read_conll(os.path.join(d.dir, d[split]), d.tag_column)
            self.sentences[split] = [
                (toks, conll.convert(tags, d.scheme, d.train_scheme)) for toks, tags in sents
            ]
        train = self.sentences["train"]
        words = [self._word(w) for toks, _ in train for w in toks]
        self.words = text.Vocab.build(words, d.vocab_size, d.min_count)
        self.chars = text.Vocab.build([c for toks, _ in train for w in toks for c in w])
        tag_names = sorted({t for _, tags in train for t in tags})
        self.tags = text.Vocab(["O", *[t for t in tag_names if t != "O"]])
        for split in ("valid", "test"):
            unseen = {t for _, tags in self.sentences[split] for t in tags} - set(self.tags.stoi)
            if unseen:
                raise DataError(
                    f"{split} ({d[split]}) has tags the training data never has: "
                    f"{sorted(unseen)}; tagging cannot predict them"
                )
        vocabs = {"words": self.words, "chars": self.chars, "tags": self.tags}
        for name, built in vocabs.items():
            path = os.path.join(workdir, f"vocab.{name}.jsonl")
            if os.path.exists(path):
                text.check_vocab(text.Vocab.load(path), built, path)
        self.encoded = {
            s: [self._encode(toks, tags) for toks, tags in v] for s, v in self.sentences.items()
        }
        d.steps_per_epoch = -(-len(train) // config.batch_size)
        self._decoder = None
        if jax.process_index() == 0:  # once every check has passed
            os.makedirs(workdir, exist_ok=True)
            for name, built in vocabs.items():
                path = os.path.join(workdir, f"vocab.{name}.jsonl")
                if not os.path.exists(path):
                    built.save(path)

    def _encode(self, toks, tags=None):
        words = self.words.encode([self._word(w) for w in toks])[0].astype(np.int32)
        n = self.config.data.max_word_length
        chars = [self.chars.encode(list(w[:n]))[0].astype(np.int32) for w in toks]
        tag_ids = None if tags is None else np.array([self.tags.stoi[t] for t in tags], np.int32)
        return words, chars, tag_ids

    def make_model(self, config, rngs):
        m = config.model
        return Tagger(
            len(self.words),
            len(self.chars),
            len(self.tags),
            m.embed,
            m.hidden_features,
            m.num_layers,
            char_embed=m.char_embed,
            char_hidden=m.char_hidden,
            crf=m.crf,
            dropout=m.dropout,
            word_dropout=m.word_dropout,
            unk_id=self.words.stoi[text.UNK],
            rngs=rngs,
        )

    def _batch(self, items, index):
        d = self.config.data
        words = batching.pad([it[0] for it in items], index, d.pad_multiple)
        b, t = words["tokens"].shape
        chars = np.zeros((b, t, d.max_word_length), np.int32)
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

    def num_tokens(self, batch):
        return int(batch["lengths"] @ batch["weights"])

    def train_iter(self, config, seed):
        items = self.encoded["train"]
        make = lambda index: self._batch(items, index)
        return batching.BucketIterator(
            [len(it[0]) for it in items], config.batch_size, seed, make_batch=make
        )

    def eval_batches(self, config, split):
        items = self.encoded[split]
        idx = batching.fixed_batches([len(it[0]) for it in items], config.data.eval_batch_size)
        return [self._batch(items, i) for i in idx]

    def loss(self, model, batch, carry):
        emissions = model(batch["words"], batch["chars"], batch["char_lengths"], batch["lengths"])
        nll = model.loss(emissions, batch["tags"], batch["lengths"])
        w = batch["weights"]
        tokens = jnp.sum(batch["lengths"] * w)
        per_token = jnp.sum(nll * w) / jnp.maximum(tokens, 1.0)
        return per_token, ({"nll_per_token": per_token, "weight": tokens}, carry)

    def _tag(self, model, items) -> list[list[str]]:
        if self._decoder is None:

            def decode(graphdef, state, batch):
                m = nnx.merge(graphdef, state)
                em = m(batch["words"], batch["chars"], batch["char_lengths"], batch["lengths"])
                return m.decode(em, batch["lengths"])

            self._decoder = jax.jit(decode, static_argnums=0)
        graphdef, state = nnx.split(model)
        out: list[list[str]] = [[] for _ in items]
        idx_batches = batching.fixed_batches(
            [len(it[0]) for it in items], self.config.data.eval_batch_size
        )
        for idx in idx_batches:
            batch = self._batch(items, idx)
            pred = np.asarray(self._decoder(graphdef, state, batch))
            for row, i in enumerate(idx):
                if i >= 0:
                    out[i] = [self.tags.itos[t] for t in pred[row, : len(items[i][0])]]
        return out

    def corpus_metrics(self, model, config, split):
        pred = self._tag(model, self.encoded[split])
        gold = [tags for _, tags in self.sentences[split]]
        return conll.entity_f1(gold, pred)

    def describe(self, metrics, config, split):
        return (
            f"tag: {split} entity F1 {100 * metrics['f1']:.2f} (precision "
            f"{100 * metrics['precision']:.2f}, recall {100 * metrics['recall']:.2f}; conlleval)"
        )

    def predict(self, model, config, inputs):
        """One line per input sentence: token/TAG pairs (tags in data.train_scheme)."""
        if not inputs:
            raise ConfigError("give sentences to tag as arguments or with --input=FILE")
        items = [self._encode(s.split()) for s in inputs if s.split()]
        tagged = self._tag(model, items)
        return [
            " ".join(f"{w}/{t}" for w, t in zip(s.split(), tags, strict=True))
            for s, tags in zip([s for s in inputs if s.split()], tagged, strict=True)
        ]
