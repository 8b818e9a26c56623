"""Sequence tagging (task ``tag``): named entities from CoNLL-style column files.

The files' tags (``data.scheme``, CoNLL-2003's original is IOB1) are converted to the
scheme the model predicts (``data.train_scheme``, BIOES as Lample et al.). Entity
precision, recall and F1 are computed the conlleval way on the decoded split (Viterbi
with a CRF); validation F1 picks the best checkpoint.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from lstm_jax.data import batching, conll, text
from lstm_jax.models.tagger import Tagger
from lstm_jax.tasks import register
from lstm_jax.tasks.base import SPLIT_FILES, Task


@register("tag")
class TaggingTask(Task):
    eval_metric = "f1"
    eval_mode = "max"
    keys = {
        "data": {
            **SPLIT_FILES,
            "tag_column": -1,  # the NER column
            "tfds": "",  # or TFDS conll2003 (BIO tags: also set data.scheme=bio), in data.dir
            "tfds_splits": "train,dev,test",
            "tfds_tags": "ner",
            "scheme": "iob1",  # the files' scheme: iob1 | bio | bioes
            "train_scheme": "bioes",  # what the model predicts
            "lowercase": False,  # the character features see the case either way
            "zero_digits": True,
            "vocab_size": 0,
            "min_count": 1,
            "max_word_length": 20,  # characters per word fed to the character BiLSTM
            "pad_multiple": 8,
            "eval_batch_size": 128,
        }
    }
    positive = ("data.pad_multiple", "data.eval_batch_size", "data.max_word_length")
    choices = {"data.scheme": conll.SCHEMES, "data.train_scheme": conll.SCHEMES}

    def load(self, config, workdir):
        self.config = config
        self.data = conll.load(config, workdir)
        self._decoder = None
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return Tagger(
            len(self.data.words),
            len(self.data.chars),
            len(self.data.tags),
            m.embed,
            m.hidden_features,
            m.num_layers,
            char_embed=m.char_embed,
            char_hidden=m.char_hidden,
            crf=m.crf,
            dropout=m.dropout,
            word_dropout=m.word_dropout,
            unk_id=self.data.words.stoi[text.UNK],
            dtype=config.dtype,
            rngs=rngs,
        )

    def num_tokens(self, batch):
        return int(batch["lengths"] @ batch["weights"])

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
        for idx in batching.fixed_batches([len(it[0]) for it in items], self.data.eval_batch_size):
            batch = self.data.make_batch(items, idx)
            pred = np.asarray(self._decoder(graphdef, state, batch))
            for row, i in enumerate(idx):
                if i >= 0:
                    out[i] = [self.data.tags.itos[t] for t in pred[row, : len(items[i][0])]]
        return out

    def corpus_metrics(self, model, config, split):
        pred = self._tag(model, self.data.encoded[split])
        gold = [tags for _, tags in self.data.sentences[split]]
        return conll.entity_f1(gold, pred)

    def describe(self, metrics, config, split):
        return (
            f"tag: {split} entity F1 {100 * metrics['f1']:.2f} (precision "
            f"{100 * metrics['precision']:.2f}, recall {100 * metrics['recall']:.2f}; conlleval)"
        )

    def predict(self, model, config, inputs):
        """One line per input sentence: token/TAG pairs (tags in data.train_scheme)."""
        self.sentences(inputs, "tag")
        items = [self.data.encode(s.split()) for s in inputs if s.split()]
        tagged = self._tag(model, items)
        return [
            " ".join(f"{w}/{t}" for w, t in zip(s.split(), tags, strict=True))
            for s, tags in zip([s for s in inputs if s.split()], tagged, strict=True)
        ]
