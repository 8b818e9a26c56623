"""Translation (task ``translate``): attention encoder-decoder, beam search, sacreBLEU.

Pairs come from a file per language (a split path with ``{lang}``), one tab-separated
file, or a TFDS translation dataset. Text is cut into sentencepiece subwords trained on
the training split (one model for both languages, or one each) or into words. BLEU and
chrF are sacreBLEU's, on detokenized output against the untouched reference lines;
validation BLEU selects the best checkpoint.
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.data import batching, parallel, text
from lstm_jax.models.seq2seq import Seq2Seq
from lstm_jax.nn.decoding import beam_search
from lstm_jax.tasks import register
from lstm_jax.tasks.base import SPLIT_FILES, Task

PAD, BOS, EOS = parallel.PAD, parallel.BOS, parallel.EOS


@register("translate")
class TranslationTask(Task):
    eval_metric = "bleu"
    eval_mode = "max"
    keys = {
        "data": {
            # train/valid/test: {lang} becomes source_lang and target_lang, a file per
            # language, line i <-> i; a path without {lang} is one file of source<TAB>target
            **SPLIT_FILES,
            "valid_fraction": 0.1,  # valid and test empty: cut from train, a source in one split
            "test_fraction": 0.1,
            "source_lang": "de",  # also a header's column names in a one-file table of pairs
            "target_lang": "en",
            "source_column": 0,  # a table of pairs without such a header: the columns
            "target_column": 1,
            "max_words": 0,  # training pairs with more words on a side are dropped (0 = keep)
            "tfds": "",  # or a TFDS translation dataset (wmt14_translate/de-en), in data.dir
            "tfds_splits": "train,validation,test",
            "tokenizer": "sentencepiece",  # sentencepiece | word | wordpunct
            "joint_vocab": True,  # one sentencepiece model for both languages
            "vocab_size": 8000,  # sentencepiece pieces (word level: 0 = every word)
            "min_count": 1,
            "lowercase": False,
            "max_length": 64,  # tokens per sentence
            "too_long": "drop",  # training pairs over max_length: drop | truncate (counted)
            "pad_multiple": 8,
            "eval_batch_size": 128,
        },
        "decode": {
            "beam": 5,  # test and predict
            "valid_beam": 1,  # validation: greedy, to keep evaluations cheap
            "length_penalty": 0.6,  # GNMT alpha; 0 = rank by log-probability
            "max_length": 64,
        },
    }
    positive = (
        "data.max_length",
        "data.pad_multiple",
        "data.eval_batch_size",
        "decode.beam",
        "decode.valid_beam",
        "decode.max_length",
    )
    choices = {
        "data.too_long": ("truncate", "drop"),
        "data.tokenizer": ("word", "wordpunct", "sentencepiece"),
    }

    def load(self, config, workdir):
        self.config, self.workdir = config, workdir
        self.data = parallel.load(config, workdir)
        self._decoders = {}
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return Seq2Seq(
            len(self.data.src_vocab),
            len(self.data.tgt_vocab),
            m.embed,
            m.hidden_features,
            m.encoder_layers,
            m.num_layers,
            attention=m.attention,
            input_feeding=m.input_feeding,
            tie=m.tie,
            dropout=m.dropout,
            dtype=config.dtype,
            rngs=rngs,
        )

    def num_tokens(self, batch):
        return int(batch["target_weights"].sum())

    def loss(self, model, batch, carry):
        logits, _ = model(batch["source"], batch["source_lengths"], batch["target_in"])
        w = batch["target_weights"]
        n = jnp.sum(w)
        labels = jax.nn.one_hot(batch["target_out"], logits.shape[-1])
        smooth = self.config.model.label_smoothing
        if smooth and not model.deterministic:
            labels = optax.smooth_labels(labels, smooth)
        ce = optax.softmax_cross_entropy(logits, labels)
        nll = optax.softmax_cross_entropy_with_integer_labels(logits, batch["target_out"])
        mean = jnp.sum(ce * w) / jnp.maximum(n, 1.0)
        nll_mean = jnp.sum(nll * w) / jnp.maximum(n, 1.0)
        return mean, ({"nll": nll_mean, "weight": n}, carry)

    def _decoder(self, beam: int):
        """A jitted beam search (beam 1 = greedy) for this task's model structure."""
        if beam not in self._decoders:
            c = self.config.decode
            bos, eos = self.data.tgt_vocab.stoi[BOS], self.data.tgt_vocab.stoi[EOS]

            def decode(graphdef, state, source, lengths):
                model = nnx.merge(graphdef, state)
                memory, dec_state = model.encode(source, lengths)
                tile = lambda x: jnp.repeat(x, beam, axis=0)  # beams on the batch axis
                memory, dec_state = jax.tree.map(tile, (memory, dec_state))

                def step(tokens, st):
                    out, st, _ = model.step(model.tgt_embed(tokens), st, memory)
                    return jax.nn.log_softmax(model.logits(out)), st

                return beam_search(
                    step, dec_state, source.shape[0], beam, c.max_length, bos, eos, c.length_penalty
                )

            self._decoders[beam] = jax.jit(decode, static_argnums=0)
        return self._decoders[beam]

    def translate(self, model, sources: list[np.ndarray], beam: int) -> list[str]:
        """Token-id sources -> detokenized target sentences, decoded in length-sorted batches."""
        graphdef, state = nnx.split(model)
        decode = self._decoder(beam)
        out: list[str] = [""] * len(sources)
        rows = self.config.data.eval_batch_size
        for idx in batching.fixed_batches([len(s) for s in sources], rows):
            b = batching.pad(sources, idx, self.config.data.pad_multiple)
            tokens, _ = decode(graphdef, state, b["tokens"], b["lengths"])
            for i, seq in zip(idx, np.asarray(tokens), strict=True):
                if i >= 0:
                    out[i] = self.detokenize(seq)
        return out

    def attention_map(self, model, sentence: str) -> tuple[list[str], list[str], np.ndarray]:
        """Source tokens, the beam-search output's tokens (with </s>) and the attention
        weights float32[output, source] the decoder used to produce them."""
        n, eos, bos = (
            self.config.data.max_length,
            self.data.tgt_vocab.stoi[EOS],
            self.data.tgt_vocab.stoi[BOS],
        )
        src = text.encode_input(self.data.src_vocab, self.data.tok_src(sentence), n)
        src_tokens = [self.data.src_vocab.itos[i] for i in src]
        graphdef, state = nnx.split(model)
        out, _ = self._decoder(self.config.decode.beam)(
            graphdef, state, src[None], np.array([len(src)], np.int32)
        )
        out = list(np.asarray(out[0]))
        out = out[: out.index(eos) + 1] if eos in out else out
        target_in = np.array([[bos, *out[:-1]]], np.int32)
        _, weights = model(src[None], np.array([len(src)], np.int32), target_in)
        tgt_tokens = [self.data.tgt_vocab.itos[i] for i in out]
        return src_tokens, tgt_tokens, np.asarray(weights[0])

    def detokenize(self, ids: np.ndarray) -> str:
        eos = self.data.tgt_vocab.stoi[EOS]
        ids = list(ids)
        ids = ids[: ids.index(eos)] if eos in ids else ids
        pieces = [self.data.tgt_vocab.itos[i] for i in ids]
        if self.data.tok_tgt.sp is not None:
            return self.data.tok_tgt.sp.decode_pieces(pieces)
        return " ".join(pieces)

    def corpus_metrics(self, model, config, split):
        import sacrebleu

        beam = config.decode.beam if split == "test" else config.decode.valid_beam
        hyps = self.translate(model, self.data.src[split], beam)
        refs = [self.data.references[split]]
        # with data.lowercase the output is lower-cased: score case-insensitively then
        metric = sacrebleu.BLEU(lowercase=config.data.lowercase)
        bleu = metric.corpus_score(hyps, refs)
        chrf = sacrebleu.CHRF(lowercase=config.data.lowercase).corpus_score(hyps, refs)
        self.signature = str(metric.get_signature())
        self.last_outputs = hyps
        outputs = {f"translations_{split}.txt": "\n".join(hyps) + "\n"}
        return {"bleu": bleu.score, "chrf": chrf.score, "beam": float(beam), "outputs": outputs}

    def summarize(self, metrics, config, split):
        return dict(metrics, perplexity=float(np.exp(min(metrics["nll"], 50.0))))

    def describe(self, metrics, config, split):
        outputs = os.path.join(self.workdir, f"translations_{split}.txt")
        return (
            f"translate {config.data.source_lang}->{config.data.target_lang}: {split} BLEU "
            f"{metrics['bleu']:.2f}, chrF {metrics['chrf']:.2f} (beam {int(metrics['beam'])}; "
            f"sacreBLEU {self.signature}); outputs in {outputs}"
        )

    def predict(self, model, config, inputs):
        n = config.data.max_length
        src = self.data.src_vocab
        ids = [
            text.encode_input(src, self.data.tok_src(s), n)
            for s in self.sentences(inputs, "translate")
        ]
        return self.translate(model, ids, config.decode.beam)
