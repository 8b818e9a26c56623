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

from lstm_jax.data import batching, text
from lstm_jax.data.parallel import read_pairs, read_tfds_pairs
from lstm_jax.data.tokenizers import Tokenizer
from lstm_jax.errors import ConfigError
from lstm_jax.models.seq2seq import Seq2Seq
from lstm_jax.nn.decoding import beam_search
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task, check_positive, tfds_splits

SPLITS = ("train", "valid", "test")
PAD, BOS, EOS = "<pad>", "<s>", "</s>"
TOO_LONG = ("truncate", "drop")


def read_splits(d) -> dict[str, list[tuple[str, str]]]:
    """split -> (source, target) pairs, from ``data.tfds`` or ``data.dir`` + split paths."""
    src, tgt = d.source_lang, d.target_lang
    splits = tfds_splits(d) if d.tfds else []
    out = {}
    for i, split in enumerate(SPLITS):
        if d.tfds:
            out[split], skipped = read_tfds_pairs(d.tfds, splits[i], d.dir, src, tgt)
        else:
            if not d[split]:
                raise ConfigError(
                    f"set config.data.{split} (a path with {{lang}}, or a .tsv of pairs)"
                )
            path = os.path.join(d.dir, d[split])
            if "{lang}" in path:
                out[split], skipped = read_pairs(path.format(lang=src), path.format(lang=tgt))
            else:
                out[split], skipped = read_pairs(path)
        if skipped:
            print(f"{split}: {skipped} pairs with an empty side skipped", flush=True)
    return out


def _vocab(tokens: list[list[str]], size: int, min_count: int) -> text.Vocab:
    built = text.Vocab.build([t for seq in tokens for t in seq], size, min_count)
    return text.Vocab([PAD, BOS, EOS, *built.itos])


@register("translate")
class TranslationTask(Task):
    eval_metric = "bleu"
    eval_mode = "max"

    def setup(self, config, workdir):
        d = config.data
        for key in ("data.max_length", "data.pad_multiple", "data.eval_batch_size"):
            check_positive(config, key)
        for key in ("decode.beam", "decode.valid_beam", "decode.max_length"):
            check_positive(config, key)
        if d.too_long not in TOO_LONG:
            raise ConfigError(f"unknown data.too_long {d.too_long!r}; choose one of {TOO_LONG}")
        self.config, self.workdir = config, workdir
        pairs = read_splits(d)
        train_src = [s for s, _ in pairs["train"]]
        train_tgt = [t for _, t in pairs["train"]]
        size = d.vocab_size if d.tokenizer == "sentencepiece" else 0
        if d.joint_vocab:
            tok = Tokenizer(d.tokenizer, d.lowercase, workdir, train_src + train_tgt, size)
            self.tok_src = self.tok_tgt = tok
        else:
            self.tok_src = Tokenizer(
                d.tokenizer, d.lowercase, workdir, train_src, size, name="spm.source.model"
            )
            self.tok_tgt = Tokenizer(
                d.tokenizer, d.lowercase, workdir, train_tgt, size, name="spm.target.model"
            )
        toks = {
            s: ([self.tok_src(a) for a, _ in p], [self.tok_tgt(b) for _, b in p])
            for s, p in pairs.items()
        }
        self.references = {s: [b for _, b in p] for s, p in pairs.items()}
        self.sources = {s: [a for a, _ in p] for s, p in pairs.items()}
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
        for name, built in (("source", src_vocab), ("target", tgt_vocab)):
            path = os.path.join(workdir, f"vocab.{name}.jsonl")
            if os.path.exists(path):
                text.check_vocab(text.Vocab.load(path), built, path)
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.src, self.tgt = {}, {}
        for split, (ss, ts) in toks.items():
            cut = sum(len(s) > n for s in ss)
            if cut and split != "train":
                print(f"{split}: {cut} source sentences cut to {n} tokens", flush=True)
            self.src[split] = [src_vocab.encode(s[:n])[0].astype(np.int32) for s in ss]
            self.tgt[split] = [tgt_vocab.encode(t[:n])[0].astype(np.int32) for t in ts]
        d.steps_per_epoch = -(-len(self.src["train"]) // config.batch_size)
        self._decoders = {}
        if jax.process_index() == 0:
            os.makedirs(workdir, exist_ok=True)
            for tok in {id(self.tok_src): self.tok_src, id(self.tok_tgt): self.tok_tgt}.values():
                tok.save(workdir)
            for name, built in (("source", src_vocab), ("target", tgt_vocab)):
                path = os.path.join(workdir, f"vocab.{name}.jsonl")
                if not os.path.exists(path):
                    built.save(path)

    def make_model(self, config, rngs):
        m = config.model
        return Seq2Seq(
            len(self.src_vocab),
            len(self.tgt_vocab),
            m.embed,
            m.hidden_features,
            m.encoder_layers,
            m.num_layers,
            attention=m.attention,
            input_feeding=m.input_feeding,
            tie=m.tie,
            dropout=m.dropout,
            rngs=rngs,
        )

    def _batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        mult = self.config.data.pad_multiple
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

    def num_tokens(self, batch):
        return int(batch["target_weights"].sum())

    def train_iter(self, config, seed):
        lengths = [
            max(len(s), len(t) + 1)
            for s, t in zip(self.src["train"], self.tgt["train"], strict=True)
        ]
        make = lambda index: self._batch("train", index)
        return batching.BucketIterator(lengths, config.batch_size, seed, make_batch=make)

    def eval_batches(self, config, split):
        lengths = [len(s) for s in self.src[split]]
        return [
            self._batch(split, idx)
            for idx in batching.fixed_batches(lengths, config.data.eval_batch_size)
        ]

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
            bos, eos = self.tgt_vocab.stoi[BOS], self.tgt_vocab.stoi[EOS]

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
            self.tgt_vocab.stoi[EOS],
            self.tgt_vocab.stoi[BOS],
        )
        src = text.encode_input(self.src_vocab, self.tok_src(sentence), n)
        src_tokens = [self.src_vocab.itos[i] for i in src]
        graphdef, state = nnx.split(model)
        out, _ = self._decoder(self.config.decode.beam)(
            graphdef, state, src[None], np.array([len(src)], np.int32)
        )
        out = list(np.asarray(out[0]))
        out = out[: out.index(eos) + 1] if eos in out else out
        target_in = np.array([[bos, *out[:-1]]], np.int32)
        _, weights = model(src[None], np.array([len(src)], np.int32), target_in)
        tgt_tokens = [self.tgt_vocab.itos[i] for i in out]
        return src_tokens, tgt_tokens, np.asarray(weights[0])

    def detokenize(self, ids: np.ndarray) -> str:
        eos = self.tgt_vocab.stoi[EOS]
        ids = list(ids)
        ids = ids[: ids.index(eos)] if eos in ids else ids
        pieces = [self.tgt_vocab.itos[i] for i in ids]
        if self.tok_tgt.sp is not None:
            return self.tok_tgt.sp.decode_pieces(pieces)
        return " ".join(pieces)

    def corpus_metrics(self, model, config, split):
        import sacrebleu

        beam = config.decode.beam if split == "test" else config.decode.valid_beam
        hyps = self.translate(model, self.src[split], beam)
        refs = [self.references[split]]
        # with data.lowercase the output is lower-cased: score case-insensitively then
        metric = sacrebleu.BLEU(lowercase=config.data.lowercase)
        bleu = metric.corpus_score(hyps, refs)
        chrf = sacrebleu.CHRF(lowercase=config.data.lowercase).corpus_score(hyps, refs)
        self.signature = str(metric.get_signature())
        self.last_outputs = hyps
        if jax.process_index() == 0 and os.path.isdir(self.workdir):
            path = os.path.join(self.workdir, f"translations_{split}.txt")
            with open(path + ".tmp", "w") as f:
                f.write("\n".join(hyps) + "\n")
            os.replace(path + ".tmp", path)
        return {"bleu": bleu.score, "chrf": chrf.score, "beam": float(beam)}

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
        if not inputs:
            raise ConfigError("give sentences to translate as arguments or with --input=FILE")
        n = config.data.max_length
        ids = [text.encode_input(self.src_vocab, self.tok_src(s), n) for s in inputs]
        return self.translate(model, ids, config.decode.beam)
