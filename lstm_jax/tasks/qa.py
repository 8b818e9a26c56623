"""Question answering (task ``qa``): an LSTM reader with multi-hop attention on bAbI.

``data.task`` picks one of the 20 tasks (or 0: all jointly), ``data.set`` the 1k (``en``)
or 10k (``en-10k``) training set. Accuracy counts a question right when every word of its
answer (and the ``<end>`` after it) is right; joint runs report each task's accuracy too
(``accuracy_task{N}``, and ``error_mean`` over the tasks). Validation accuracy picks the
best checkpoint. ``model.fact_supervision`` > 0 adds the supporting facts as a loss on
each hop's attention (hop k on fact k; strong supervision, off in the LSTM baselines).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.data import babi, batching
from lstm_jax.errors import ConfigError
from lstm_jax.models.qa import QAReader
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task

TASKS = babi.NUM_TASKS + 1  # index 0 is "unknown" (predict's own stories)


@register("qa")
class QATask(Task):
    eval_metric = "accuracy"
    eval_mode = "max"
    keys = {
        "data": {
            "dir": "../shared/data/babi",
            "set": "en",  # en (1k questions per task) | en-10k
            "task": 1,  # 1-20, or 0: all 20 jointly
            "valid_fraction": 0.1,  # of each task's training stories
            "valid_seed": 0,  # the held-out stories depend on this alone
            "max_sentences": 50,  # a question sees the last this many statements
            "eval_batch_size": 256,
        }
    }
    positive = ("data.max_sentences", "data.eval_batch_size")
    choices = {"data.set": babi.SETS}
    # model keys with the values a workdir from before they existed was trained with
    model_choices = {
        "attention": ("mlp", "dot", "adjacent"),
        "pool": ("last", "position"),
        "memory_update": ("gru", "add"),
        "encoder": ("sentence", "story"),
    }

    def check_config(self, config):
        super().check_config(config)
        if not 0 < config.data.valid_fraction < 1:
            raise ConfigError(
                f"data.valid_fraction must be in (0, 1), got {config.data.valid_fraction}"
            )
        model = config.get("model") or {}
        if model.get("tie_question") and model.get("attention") != "adjacent":
            raise ConfigError(
                "model.tie_question reads the question into adjacent tying's first space: "
                f"set model.attention=adjacent (got {model.get('attention')!r})"
            )
        if model.get("skip") and model.get("embed") != model.get("hidden_features"):
            raise ConfigError(
                "model.skip adds the word embeddings to the LSTM's outputs: set model.embed "
                f"= model.hidden_features (got {model.get('embed')} and "
                f"{model.get('hidden_features')})"
            )
        if model.get("bidirectional") and model.get("hidden_features", 0) % 2:
            raise ConfigError(
                "model.bidirectional splits model.hidden_features between the two "
                f"directions: make it even (got {model.get('hidden_features')})"
            )
        for key, allowed in self.model_choices.items():
            if model.get(key, allowed[0]) not in allowed:
                raise ConfigError(
                    f"model.{key} must be one of {', '.join(allowed)}, got {model.get(key)!r}"
                )

    def load(self, config, workdir):
        self.config = config
        self.data = babi.load(config, workdir)
        self._attend = None
        n = {s: len(self.data.questions[s]) for s in babi.SPLITS}
        print(
            f"babi {config.data.set} task {config.data.task or 'all'}: {n['train']} train / "
            f"{n['valid']} valid / {n['test']} test questions, {len(self.data.words)} words, "
            f"{len(self.data.answers) - 1} answer words"
        )
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return QAReader(
            len(self.data.words),
            len(self.data.answers),
            self.data.answer_length,
            m.embed,
            m.hidden_features,
            m.hops,
            num_layers=m.num_layers,
            fusion=m.fusion,
            max_sentences=config.data.max_sentences if m.temporal else 0,
            # a workdir trained before these keys existed gets the model it was trained as
            attention=m.get("attention", self.model_choices["attention"][0]),
            pool=m.get("pool", self.model_choices["pool"][0]),
            linear_start=m.get("linear_start", 0),
            noise=m.get("noise", 0.0),
            skip=m.get("skip", False),
            answer_hidden=m.get("answer_hidden", 0),
            tie_question=m.get("tie_question", False),
            encoder=m.get("encoder", self.model_choices["encoder"][0]),
            bidirectional=m.get("bidirectional", False),
            memory_update=m.get("memory_update", self.model_choices["memory_update"][0]),
            dropout=m.dropout,
            dtype=config.dtype,
            rngs=rngs,
        )

    def num_tokens(self, batch):
        """Story words read per batch."""
        return int(np.sum(batch["sentence_lengths"]))

    @staticmethod
    def _inputs(batch):
        keys = ("story", "sentence_lengths", "story_lengths", "question", "question_lengths")
        return [batch[k] for k in keys]

    def loss(self, model, batch, carry):
        logits, attention = model(*self._inputs(batch))
        answer, w = batch["answer"], batch["weights"]
        n = jnp.sum(w)
        nll = jnp.sum(optax.softmax_cross_entropy_with_integer_labels(logits, answer), -1)
        mean = jnp.sum(nll * w) / jnp.maximum(n, 1.0)
        correct = jnp.all(jnp.argmax(logits, -1) == answer, -1).astype(jnp.float32)
        loss = mean
        lam = self.config.model.fact_supervision
        if lam:
            hops = attention.shape[1]
            support = batch["supporting"][:, :hops]  # hop k attends to fact k
            known = support >= 0
            att = attention[:, : support.shape[1]]
            picked = jnp.take_along_axis(att, jnp.maximum(support, 0)[..., None], -1)[..., 0]
            fact_nll = -jnp.sum(jnp.log(picked + 1e-9) * known, -1)
            loss = mean + lam * jnp.sum(fact_nll * w) / jnp.maximum(n, 1.0)
        by_task = jax.nn.one_hot(batch["task"], TASKS) * w[:, None]
        metrics = {
            "nll": mean,
            "accuracy": jnp.sum(correct * w) / jnp.maximum(n, 1.0),
            # per task: share of the split's questions, and of right answers
            "task_share": jnp.sum(by_task, 0) / jnp.maximum(n, 1.0),
            "task_correct": jnp.sum(by_task * correct[:, None], 0) / jnp.maximum(n, 1.0),
            "weight": n,
        }
        return loss, (metrics, carry)

    def summarize(self, metrics, config, split):
        share = np.asarray(metrics.pop("task_share"))
        correct = np.asarray(metrics.pop("task_correct"))
        out = dict(metrics)
        tasks = [t for t in range(1, TASKS) if share[t] > 0]
        if len(tasks) > 1:
            acc = {t: float(correct[t] / share[t]) for t in tasks}
            out.update({f"accuracy_task{t}": a for t, a in acc.items()})
            out["error_mean"] = float(np.mean([1 - a for a in acc.values()]))
            out["tasks_passed"] = float(sum(a >= 0.95 for a in acc.values()))
        return out

    def describe(self, metrics, config, split):
        line = f"qa bAbI {config.data.set} task {config.data.task or 'all'}: {split} accuracy "
        line += f"{metrics['accuracy']:.2%}"
        if "error_mean" in metrics:
            line += (
                f", mean error over tasks {metrics['error_mean']:.2%}, "
                f"{int(metrics['tasks_passed'])} of 20 tasks >= 95%"
            )
        return line

    def answer(self, model, questions: list[babi.Question]):
        """Per question: (answer words, attention float32[hops, sentences kept])."""
        if self._attend is None:

            def attend(graphdef, state, batch):
                logits, att = nnx.merge(graphdef, state)(*self._inputs(batch))
                return jnp.argmax(logits, -1), att

            self._attend = jax.jit(attend, static_argnums=0)
        graphdef, state = nnx.split(model)
        items = [self.data.encode(q) for q in questions]
        out = [None] * len(items)
        for idx in batching.fixed_batches([len(e[0]) for e in items], self.data.eval_batch_size):
            b = self.data.make_batch(items, idx)
            ids, att = (np.asarray(a) for a in self._attend(graphdef, state, b))
            for row, i in enumerate(idx):
                if i >= 0:
                    words = []
                    for t in ids[row]:
                        if t == 0:  # <end>
                            break
                        words.append(self.data.answers.itos[t])
                    out[i] = (words, att[row, :, : len(items[i][0])])
        return out

    def predict(self, model, config, inputs):
        """Stories and questions in the bAbI format (a file with --input, or stdin): per
        question, the answer, then per hop the three statements it attended to most."""
        if not inputs:
            raise ConfigError(
                "give a story and questions in the bAbI format with --input=FILE (or - for "
                "stdin), e.g. '1 Mary went to the kitchen.' then '2 Where is Mary?<TAB>?<TAB>'"
            )
        questions = babi.parse(babi.with_answer_column(inputs), "<input>")
        out = []
        for q, (words, att) in zip(questions, self.answer(model, questions), strict=True):
            cut = max(0, len(q.story) - config.data.max_sentences)
            out.append(f"{' '.join(q.question)}? -> {','.join(words)}")
            for hop, weights in enumerate(att, 1):
                top = np.argsort(-weights)[:3]
                shown = "; ".join(f"{weights[i]:.2f} {' '.join(q.story[cut + i])}" for i in top)
                out.append(f"  hop {hop}: {shown}")
        return out
