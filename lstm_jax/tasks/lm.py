"""Word- and character-level language modeling with truncated BPTT (task ``lm``).

The LSTM state is the task's carry: passed from window to window (gradients stopped),
zeroed at each epoch's start, checkpointed with the parameters. Validation and test
run through each split once, in order, with the state carried throughout: test at
batch 1 by default, as Zaremba et al. and AWD-LSTM report it.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.data import lm_stream, text
from lstm_jax.models.language_model import LanguageModel, layer_sizes, zero_state
from lstm_jax.nn.activation_reg import activation_reg, temporal_activation_reg
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task


@register("lm")
class LanguageModelTask(Task):
    eval_metric = "nll"  # nats per token; perplexity and bits per character follow from it
    keys = {
        "data": {
            "dir": "",  # train/valid/test files: ptb.*.txt, wiki.*.tokens or *.txt
            "file": "",  # or one text file, cut into train/valid/test by data.split
            "split": "0.9,0.05,0.05",
            "tfds": "",  # or a TFDS text dataset (tiny_shakespeare, lm1b), prepared in data.dir
            "tfds_splits": "train,validation,test",
            "tfds_key": "text",
            "level": "word",  # word | char
            "vocab_size": 0,  # 0 = every training word; a cap maps rarer ones to <unk>
            "min_count": 1,
            "train_tokens": 0,  # train on the first N training tokens (0 = all); same vocabulary
            "bptt": 20,
            "random_bptt": False,  # AWD-LSTM's variable window length
            "eval_bptt": 0,  # 0 = bptt; longer windows only make evaluation faster
            "eval_batch_size": 20,  # validation streams
            "test_batch_size": 1,  # the papers' test protocol
        },
        "predict": {
            "length": 50,
            "temperature": 1.0,  # 0 = greedy
            "top_k": 0,  # 0 = the whole vocabulary
            "seed": 0,
        },
    }
    positive = ("data.bptt", "data.eval_batch_size", "data.test_batch_size", "predict.length")
    choices = {"data.level": ("word", "char")}

    def load(self, config, workdir):
        self.config = config
        self.data = lm_stream.load(config, workdir)
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return LanguageModel(
            len(self.data.vocab),
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
            dtype=config.dtype,
            rngs=rngs,
        )

    def init_carry(self, config, batch_size):
        m = config.model
        sizes = layer_sizes(m.embed, m.hidden_features, m.num_layers, m.tie, m.proj_features)
        zeros = zero_state(sizes, batch_size, m.cell)
        return jax.tree.map(lambda a: np.zeros(a.shape, np.float32), zeros)

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
        return {"nll": math.log(len(self.data.vocab))}  # a uniform guess over the vocabulary

    def describe(self, metrics, config, split):
        level = config.data.level
        what = f"{metrics['bpc']:.3f} bits/char" if level == "char" else ""
        what = what or f"perplexity {metrics['perplexity']:.2f}"
        oov = self.data.oov[split]
        oov = f"; {oov} {split} tokens out of vocabulary" if oov else ""
        vocab = len(self.data.vocab)
        return f"lm ({level}, vocab {vocab}): {split} {what} (nll {metrics['nll']:.4f}){oov}"

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
            ids, _ = self.data.vocab.encode(toks or [text.EOS if level == "word" else "\n"])
            tokens = jnp.asarray(ids[None])
            state = jax.tree.map(jnp.asarray, self.init_carry(config, 1))
            sampled = []
            for i in range(p.length):
                key = jax.random.fold_in(jax.random.key(p.seed), i)
                nxt, state = step(params, tokens, state, key)
                sampled.append(int(nxt[0]))
                tokens = nxt[:, None].astype(jnp.int32)
            generated = self.data.vocab.decode(sampled, level)
            space = level == "word" and prompt and not generated.startswith("\n")
            out.append(prompt + (" " if space else "") + generated)
        return out
