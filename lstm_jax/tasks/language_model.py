"""Word- and character-level language modeling with truncated BPTT (task ``lm``).

The LSTM state is the task's carry: passed from window to window (gradients stopped),
zeroed at each epoch's start, checkpointed with the parameters. Validation and test
run through each split once, in order, with the state carried throughout: test at
batch 1 by default, as Zaremba et al. and AWD-LSTM report it.
"""

from __future__ import annotations

import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.data import lm_stream, text
from lstm_jax.data.tfds_text import load_text
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.models.language_model import LanguageModel, layer_sizes, zero_state
from lstm_jax.nn.activation_reg import activation_reg, temporal_activation_reg
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task, tfds_splits

SPLITS = ("train", "valid", "test")
# file names tried in config.data.dir, in order: the PTB/WikiText layouts people have
PATTERNS = ("{}.txt", "ptb.{}.txt", "wiki.{}.tokens", "{}")
VOCAB_FILE = "vocab.jsonl"


def read_splits(data) -> dict[str, str]:
    """split -> text, from ``data.tfds``, ``data.file`` (cut by ``data.split``) or ``data.dir``."""
    if data.tfds:
        names = tfds_splits(data)
        return {
            s: load_text(data.tfds, n, data.dir, data.tfds_key)
            for s, n in zip(SPLITS, names, strict=True)
        }
    if data.file:
        fractions = [float(x) for x in data.split.split(",")]
        return text.split_chars(text.read_text(data.file), fractions)
    if not data.dir:
        raise ConfigError("set one of config.data.dir, config.data.file or config.data.tfds")
    if not os.path.isdir(data.dir):
        raise DataError(f"config.data.dir {data.dir!r} is not a directory")
    out = {}
    for split in SPLITS:
        names = [p.format(split) for p in PATTERNS]
        found = [n for n in names if os.path.isfile(os.path.join(data.dir, n))]
        if not found:
            raise DataError(f"no {split} file in {data.dir!r} (looked for {', '.join(names)})")
        out[split] = text.read_text(os.path.join(data.dir, found[0]))
    return out


@register("lm")
class LanguageModelTask(Task):
    eval_metric = "nll"  # nats per token; perplexity and bits per character follow from it

    def setup(self, config, workdir):
        d = config.data
        tokens = {s: text.tokenize(t, d.level) for s, t in read_splits(d).items()}
        built = text.Vocab.build(tokens["train"], d.vocab_size, d.min_count)
        path = os.path.join(workdir, VOCAB_FILE)
        if os.path.exists(path):
            text.check_vocab(text.Vocab.load(path), built, path)
        self.config, self.vocab = config, built
        self.ids, self.oov = {}, {}
        for split, toks in tokens.items():
            self.ids[split], self.oov[split] = built.encode(toks)
        if not isinstance(d.train_tokens, int) or d.train_tokens < 0:
            raise ConfigError(f"data.train_tokens must be an int >= 0, got {d.train_tokens!r}")
        if d.train_tokens:  # a smaller corpus, same vocabulary: perplexities stay comparable
            self.ids["train"] = self.ids["train"][: d.train_tokens]
        for split in ("valid", "test"):
            if self.oov[split]:
                print(
                    f"{split}: {self.oov[split]} of {len(self.ids[split])} tokens are not in the "
                    f"training vocabulary; counted as {text.UNK}",
                    flush=True,
                )
        # epoch-valued keys of the config (schedules, eval_every) follow through references
        d.steps_per_epoch = lm_stream.steps_per_epoch(
            len(self.ids["train"]), config.batch_size, d.bptt
        )
        if not os.path.exists(path) and jax.process_index() == 0:  # only once all checks pass
            os.makedirs(workdir, exist_ok=True)
            built.save(path)

    def make_model(self, config, rngs):
        m = config.model
        return LanguageModel(
            len(self.vocab),
            m.embed,
            m.hidden_features,
            m.num_layers,
            tie=m.tie,
            proj=m.proj_features,
            variational=m.variational,
            embed_dropout=m.embed_dropout,
            input_dropout=m.input_dropout,
            hidden_dropout=m.hidden_dropout,
            output_dropout=m.output_dropout,
            weight_drop=m.weight_drop,
            init_scale=m.init_scale,
            forget_bias=m.forget_bias or None,
            cell=m.cell,
            rngs=rngs,
        )

    def init_carry(self, config, batch_size):
        m = config.model
        sizes = layer_sizes(m.embed, m.hidden_features, m.num_layers, m.tie, m.proj_features)
        zeros = zero_state(sizes, batch_size, m.cell)
        return jax.tree.map(lambda a: np.zeros(a.shape, np.float32), zeros)

    def train_iter(self, config, seed):
        d = config.data
        return lm_stream.WindowIterator(
            self.ids["train"], config.batch_size, d.bptt, seed, d.random_bptt
        )

    def eval_batches(self, config, split):
        d = config.data
        rows = d.test_batch_size if split == "test" else d.eval_batch_size
        return lm_stream.eval_windows(self.ids[split], rows, d.eval_bptt or d.bptt, split)

    def loss(self, model, batch, carry):
        keep = 1.0 - batch["reset"][:, None]
        carry = jax.tree.map(lambda a: a * keep, carry)
        logits, state, (raw, dropped) = model(batch["inputs"], carry)
        nll = optax.softmax_cross_entropy_with_integer_labels(logits, batch["targets"])
        w = batch["weights"]
        n = jnp.sum(w)
        mean = jnp.sum(nll * w) / n
        total = mean
        m = self.config.model
        if not model.deterministic and m.ar_alpha:
            total = total + activation_reg(dropped, m.ar_alpha)
        if not model.deterministic and m.tar_beta:
            total = total + temporal_activation_reg(raw, m.tar_beta)
        return total, ({"nll": mean, "weight": n}, jax.lax.stop_gradient(state))

    def summarize(self, metrics, config, split):
        out = dict(metrics, perplexity=math.exp(min(metrics["nll"], 50.0)))
        if config.data.level == "char":
            out["bpc"] = metrics["nll"] / math.log(2)
        return out

    def baseline(self, config):
        return {"nll": math.log(len(self.vocab))}  # a uniform guess over the vocabulary

    def describe(self, metrics, config, split):
        level = config.data.level
        what = f"{metrics['bpc']:.3f} bits/char" if level == "char" else ""
        what = what or f"perplexity {metrics['perplexity']:.2f}"
        oov = self.oov[split]
        oov = f"; {oov} {split} tokens out of vocabulary" if oov else ""
        return (
            f"lm ({level}, vocab {len(self.vocab)}): {split} {what} (nll {metrics['nll']:.4f}){oov}"
        )

    def predict(self, model, config, inputs):
        """Samples ``predict.length`` tokens after each prompt (an empty prompt: after <eos>)."""
        p, level = config.predict, config.data.level
        graphdef, params = nnx.split(model)

        @jax.jit
        def step(params, tokens, state, key):
            logits, state, _ = nnx.merge(graphdef, params)(tokens, state)
            logits = logits[:, -1]
            if p.top_k:
                kth = jax.lax.top_k(logits, p.top_k)[0][:, -1:]
                logits = jnp.where(logits < kth, -jnp.inf, logits)
            if p.temperature == 0:
                return jnp.argmax(logits, -1), state
            return jax.random.categorical(key, logits / p.temperature), state

        out = []
        for prompt in inputs or [""]:
            toks = prompt.split() if level == "word" else list(prompt)
            ids, _ = self.vocab.encode(toks or [text.EOS if level == "word" else "\n"])
            tokens = jnp.asarray(ids[None])
            state = jax.tree.map(jnp.asarray, self.init_carry(config, 1))
            sampled = []
            for i in range(p.length):
                key = jax.random.fold_in(jax.random.key(p.seed), i)
                nxt, state = step(params, tokens, state, key)
                sampled.append(int(nxt[0]))
                tokens = nxt[:, None].astype(jnp.int32)
            generated = self.vocab.decode(sampled, level)
            space = level == "word" and prompt and not generated.startswith("\n")
            out.append(prompt + (" " if space else "") + generated)
        return out
