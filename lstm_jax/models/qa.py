"""Question answering over a story: LSTM-encoded facts, multi-hop attention, an answer
classifier (a DMN+/MemN2N-style reader on our layers; Xiong et al. 2016, Sukhbaatar et al.
2015)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from lstm_jax.nn import GRU, LSTM
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.nn.pooling import position_pool

TEMPORAL_INIT = nnx.initializers.normal(0.1)


class QAReader(nnx.Module):
    """story: int32[batch, sentences, words], sentence_lengths: int32[batch, sentences],
    story_lengths: int32[batch], question: int32[batch, words], question_lengths:
    int32[batch] -> (logits float32[batch, answer_length, answers], attention
    float32[batch, hops, sentences]).

    Each sentence is read by an LSTM of ``num_layers``: the fact is its last state, or
    (``pool="position"``) MemN2N's position-encoded sum of its outputs (``skip``: of its
    outputs plus its word embeddings, so the bag of words MemN2N matches on is there beside
    the context). With ``encoder="story"`` the same LSTM reads the whole story as one
    sequence instead, each sentence closed by a learned end marker (DMN's input module),
    so a sentence's outputs carry what came before it ("they" after "Mary and Daniel");
    the fact is then the output at its end marker (``pool="last"``) or the
    position-encoded sum of its words' and marker's outputs. A ``bidirectional`` reader
    (``hidden // 2`` per direction) lets a sentence see the ones after it as well.
    Optionally a BiLSTM over the facts (``fusion``, DMN+) lets each one see its neighbours,
    and a learned vector per sentence age (``max_sentences`` > 0, MemN2N's temporal
    encoding; ``noise`` inserts empty sentences at random in training) says how recent it
    is. The question, read by the same LSTM, starts the memory m. Each of
    ``hops`` episodes scores every fact: ``attention="mlp"`` (DMN+) puts
    ``[f*q, f*m, |f-q|, |f-m|]`` through a tanh layer, ``"dot"`` (MemN2N) takes
    <key(f), m>/sqrt(d) and reads value(f), ``"adjacent"`` does the same with MemN2N's
    adjacent tying: hop k's keys are space k of f and its values space k + 1, the next
    hop's keys. Padding sentences get weight 0; for the first ``linear_start`` training
    steps the scores are used without the softmax. The memory is updated by a GRU step on
    the read fact and the question (``memory_update="gru"``) or by MemN2N's m + read
    (``"add"``). The answer's ``answer_length`` words are read off [m, q], each by its own
    softmax (``<end>`` closes shorter answers).
    """

    def __init__(
        self,
        vocab: int,
        answers: int,
        answer_length: int,
        embed: int,
        hidden: int,
        hops: int = 3,
        *,
        num_layers: int = 1,
        fusion: bool = True,
        max_sentences: int = 0,
        attention: str = "mlp",
        pool: str = "last",
        noise: float = 0.0,
        linear_start: int = 0,
        dropout: float = 0.0,
        memory_update: str = "gru",
        skip: bool = False,
        answer_hidden: int = 0,
        tie_question: bool = False,
        encoder: str = "sentence",
        bidirectional: bool = False,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.hops, self.answer_length, self.answers = hops, answer_length, answers
        self.dropout, self.deterministic = dropout, False
        self.attention, self.noise, self.pool = attention, noise, pool
        self.skip, self.memory_update = skip, memory_update
        if encoder not in ("sentence", "story"):
            raise ValueError(f"encoder must be sentence or story, got {encoder!r}")
        self.encoder = encoder
        # training steps with the attention's softmax left out (MemN2N's linear start);
        # the training loop sets train_step, evaluation always uses the softmax
        self.linear_start, self.train_step = linear_start, None
        self.embed = nnx.Embed(vocab, embed, rngs=rngs)
        # one LSTM reads the sentences and the question (as the DMN does): a name in both
        # gets one code, so the attention's products compare like with like from the start
        if bidirectional and hidden % 2:
            raise ValueError(f"a bidirectional reader needs an even hidden, got {hidden}")
        # bidirectional: hidden // 2 per direction, so every width below stays ``hidden``
        self.reader = LSTM(
            embed,
            hidden // 2 if bidirectional else hidden,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dtype=dtype,
            rngs=rngs,
        )
        # the story encoder's sentence end: a learned input, as DMN's period token
        self.sentence_end = (
            nnx.Param(TEMPORAL_INIT(rngs.params(), (embed,))) if encoder == "story" else None
        )
        self.fusion = (
            LSTM(hidden, hidden // 2, bidirectional=True, dtype=dtype, rngs=rngs)
            if fusion
            else None
        )
        fused = 2 * (hidden // 2) if fusion else hidden
        # keys and values live in one space (mlp), two (dot) or hops + 1 (adjacent); MemN2N's
        # temporal encoding is a learned vector per distance from the story's end and space
        self.num_spaces = spaces = {"dot": 2, "adjacent": hops + 1}.get(attention, 1)
        width = spaces * fused
        # (small at first, N(0, 0.1) as MemN2N's: at Embed's default N(0, 1) the ages alone
        # decide the first attention, and a softmax that sure of itself never learns to
        # look elsewhere)
        self.temporal = (
            nnx.Embed(max_sentences, width, embedding_init=TEMPORAL_INIT, rngs=rngs)
            if max_sentences
            else None
        )
        if tie_question and attention != "adjacent":
            raise ValueError("tie_question reads the question into adjacent tying's space 0")
        if tie_question and fused != hidden:
            raise ValueError(
                f"tie_question with fusion needs an even hidden_features, got {hidden}"
            )
        # q and m live beside the facts; under adjacent tying the question is read into
        # space 0 as a fact is (MemN2N's B = A1): at initialization the first hop then
        # already prefers the facts that share the question's words
        self.to_memory = None if tie_question else nnx.Linear(hidden, fused, rngs=rngs)
        if attention == "dot":  # MemN2N: address by <key, m>, read the values
            self.key = nnx.Linear(fused, fused, rngs=rngs)
            self.value = nnx.Linear(fused, fused, rngs=rngs)
        elif attention == "adjacent":
            # MemN2N's adjacent tying: hop k addresses by space k and reads space k + 1,
            # which hop k + 1 addresses by, so what one hop read ("Brian is a lion") finds
            # the facts like it ("Lily is a lion") at the next; the question is in space 0
            self.spaces = nnx.Linear(fused, spaces * fused, rngs=rngs)
        else:  # DMN+: a tanh layer over [f*q, f*m, |f-q|, |f-m|]
            self.score_hidden = nnx.Linear(4 * fused, hidden, rngs=rngs)
            self.score = nnx.Linear(hidden, 1, rngs=rngs)
        if memory_update == "gru":
            self.update = GRU(2 * fused, fused, dtype=dtype, rngs=rngs)
        # a tanh layer before the answer (answer_hidden > 0): with m = q + read, a linear
        # answer cannot compare the question with what was read (task 6's yes/no)
        self.answer_hidden = (
            nnx.Linear(2 * fused, answer_hidden, rngs=rngs) if answer_hidden else None
        )
        self.out = nnx.Linear(answer_hidden or 2 * fused, answer_length * answers, rngs=rngs)
        self.rngs = rngs.dropout.fork()

    def _drop(self, x: jax.Array) -> jax.Array:
        if self.deterministic or not self.dropout:
            return x
        return x * dropout_mask(self.rngs(), self.dropout, x.shape)

    def _read(self, rnn: LSTM, words: jax.Array, lengths: jax.Array) -> jax.Array:
        """words int32[n, time], lengths int32[n] -> float32[n, hidden]: the last state,
        or (``pool="position"``) the position-encoded sum of the outputs."""
        lengths = jnp.maximum(lengths, 1)
        x = self._drop(self.embed(words))
        h, state = rnn(x, lengths)
        if self.pool == "last":  # the last layer's final state, both directions'
            return jnp.concatenate(list(state.h[-rnn.num_directions :]), -1)
        # skip: the words themselves beside their context, MemN2N's bag of words plus the LSTM
        return position_pool(h + x if self.skip else h, lengths)

    def _read_story(self, story: jax.Array, sentence_lengths: jax.Array, story_lengths):
        """story int32[batch, sentences, words] -> float32[batch, sentences, hidden]: the
        reader runs once over each story's sentences packed end to end, each followed by
        the end marker; a fact is pooled over its own words' and marker's outputs."""
        b, s, w = story.shape
        j = jnp.arange(w + 1)
        real = jnp.arange(s)[None] < story_lengths[:, None]  # bool[batch, sentences]
        n = jnp.where(real, sentence_lengths + 1, 0)  # steps per sentence: words + marker
        start = jnp.cumsum(n, -1) - n
        x = jnp.concatenate([self.embed(story), jnp.zeros((b, s, 1, self.embed.features))], 2)
        marker = (j[None, None] == sentence_lengths[..., None])[..., None]
        x = jnp.where(marker, self.sentence_end[...].astype(x.dtype), x)  # [b, s, w+1, e]
        x = self._drop(x)
        total = s * (w + 1)
        pos = jnp.where(j < n[..., None], start[..., None] + j, total)  # total: dropped
        rows = jnp.arange(b)[:, None, None]
        packed = jnp.zeros((b, total, x.shape[-1]), x.dtype).at[rows, pos].set(x, mode="drop")
        h, _ = self.reader(packed, jnp.maximum(jnp.sum(n, -1), 1))
        h = h[rows, jnp.minimum(pos, total - 1)]  # back to [b, s, w+1, hidden]
        if self.pool == "last":  # the output at the sentence's end marker
            return jnp.take_along_axis(h, sentence_lengths[..., None, None], 2)[:, :, 0]
        h = h + x if self.skip else h
        f = position_pool(h.reshape(b * s, w + 1, -1), jnp.maximum(n, 1).reshape(-1))
        return f.reshape(b, s, -1)

    def _age(self, story_lengths: jax.Array, s: int) -> jax.Array:
        """int32[batch, sentences]: each sentence's distance from the story's end. In
        training, ``noise`` inserts that share of empty sentences at random (MemN2N's
        random noise), so the temporal vectors cannot memorize exact positions."""
        age = story_lengths[:, None] - 1 - jnp.arange(s)[None]
        if self.noise and not self.deterministic:
            blank = jax.random.bernoulli(self.rngs(), self.noise, age.shape) & (age >= 0)
            later = jnp.flip(jnp.cumsum(jnp.flip(blank, -1), -1), -1) - blank
            age = age + later
        return jnp.clip(age, 0, self.temporal.num_embeddings - 1)

    def facts(self, story, sentence_lengths, story_lengths) -> tuple[jax.Array, jax.Array]:
        """Keys and values, float32[batch, sentences, spaces, fused] each: each sentence in
        the context of the story, in one space for all hops (mlp, dot) or one per hop
        (adjacent)."""
        b, s, w = story.shape
        if self.encoder == "story":
            f = self._read_story(story, sentence_lengths, story_lengths)
        else:
            f = self._read(self.reader, story.reshape(b * s, w), sentence_lengths.reshape(-1))
            f = f.reshape(b, s, -1)
        if self.fusion is not None:
            f, _ = self.fusion(self._drop(f), story_lengths)
        if self.attention == "adjacent":
            f = self.spaces(f)
        elif self.attention == "dot":
            f = jnp.concatenate([self.key(f), self.value(f)], -1)
        if self.temporal is not None:
            f = f + self.temporal(self._age(story_lengths, s))
        f = f.reshape(b, s, self.num_spaces, -1)
        if self.attention == "adjacent":  # hop k: keys in space k, values in space k + 1
            return f[:, :, :-1], f[:, :, 1:]
        return f[:, :, :1], f[:, :, -1:]  # the same keys and values at every hop

    def __call__(self, story, sentence_lengths, story_lengths, question, question_lengths):
        keys, values = self.facts(story, sentence_lengths, story_lengths)
        q = self._read(self.reader, question, question_lengths)
        if self.to_memory is None:
            q = self.spaces(q)[..., : q.shape[-1]]
        else:
            q = jnp.tanh(self.to_memory(q))
        valid = jnp.arange(story.shape[1])[None] < story_lengths[:, None]
        m, weights = q, []
        for hop in range(self.hops):
            k = min(hop, keys.shape[2] - 1)
            key, value = keys[:, :, k], values[:, :, k]
            if self.attention != "mlp":
                scores = jnp.einsum("bsf,bf->bs", key, m) / jnp.sqrt(m.shape[-1]).astype(m.dtype)
            else:
                z = jnp.concatenate(
                    [
                        key * q[:, None],
                        key * m[:, None],
                        jnp.abs(key - q[:, None]),
                        jnp.abs(key - m[:, None]),
                    ],
                    -1,
                )
                scores = self.score(jnp.tanh(self.score_hidden(z)))[..., 0]
            g = jax.nn.softmax(jnp.where(valid, scores, -1e9), -1) * valid
            if self.linear_start and self.train_step is not None:
                g = jnp.where(self.train_step < self.linear_start, scores * valid, g)
            weights.append(g)
            context = jnp.einsum("bs,bsf->bf", g, value)
            if self.memory_update == "add":  # MemN2N: u + o keeps m in the next hop's space
                m = m + context
            else:
                _, h = self.update(
                    jnp.concatenate([context, q], -1)[:, None], initial_state=m[None]
                )
                m = h[0]
        z = self._drop(jnp.concatenate([m, q], -1))
        if self.answer_hidden is not None:
            z = jnp.tanh(self.answer_hidden(z))
        logits = self.out(z)
        b = logits.shape[0]
        return logits.reshape(b, self.answer_length, self.answers), jnp.stack(weights, 1)
