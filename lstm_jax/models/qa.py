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


class QAReader(nnx.Module):
    """story: int32[batch, sentences, words], sentence_lengths: int32[batch, sentences],
    story_lengths: int32[batch], question: int32[batch, words], question_lengths:
    int32[batch] -> (logits float32[batch, answer_length, answers], attention
    float32[batch, hops, sentences]).

    Each sentence is read by an LSTM of ``num_layers`` (its last state is the fact); a
    BiLSTM over the facts lets each one see its neighbours and its place in the story.
    The question, read by the same LSTM, starts the memory m. Each of ``hops`` episodes
    scores every fact against the question and m (``[f*q, f*m, |f-q|, |f-m|]`` through a
    tanh layer), attends (padding sentences get weight 0), and updates m with a GRU step
    on the attended fact and the question. The answer's ``answer_length`` words are read
    off [m, q], each by its own softmax (``<end>`` closes shorter answers).
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
        dropout: float = 0.0,
        dtype: Any = jnp.float32,
        rngs: nnx.Rngs,
    ):
        self.hops, self.answer_length, self.answers = hops, answer_length, answers
        self.dropout, self.deterministic = dropout, False
        self.embed = nnx.Embed(vocab, embed, rngs=rngs)
        # one LSTM reads the sentences and the question (as the DMN does): a name in both
        # gets one code, so the attention's products compare like with like from the start
        self.reader = LSTM(embed, hidden, num_layers=num_layers, dtype=dtype, rngs=rngs)
        self.fusion = (
            LSTM(hidden, hidden // 2, bidirectional=True, dtype=dtype, rngs=rngs)
            if fusion
            else None
        )
        fused = 2 * (hidden // 2) if fusion else hidden
        # MemN2N's temporal encoding: a learned vector per distance from the story's end
        self.temporal = nnx.Embed(max_sentences, fused, rngs=rngs) if max_sentences else None
        self.to_memory = nnx.Linear(hidden, fused, rngs=rngs)  # q and m live beside the facts
        self.score_hidden = nnx.Linear(4 * fused, hidden, rngs=rngs)
        self.score = nnx.Linear(hidden, 1, rngs=rngs)
        self.update = GRU(2 * fused, fused, dtype=dtype, rngs=rngs)
        self.out = nnx.Linear(2 * fused, answer_length * answers, rngs=rngs)
        self.rngs = rngs.dropout.fork()

    def _drop(self, x: jax.Array) -> jax.Array:
        if self.deterministic or not self.dropout:
            return x
        return x * dropout_mask(self.rngs(), self.dropout, x.shape)

    def _read(self, rnn: LSTM, words: jax.Array, lengths: jax.Array) -> jax.Array:
        """words int32[n, time], lengths int32[n] -> the last state float32[n, hidden]."""
        _, state = rnn(self._drop(self.embed(words)), jnp.maximum(lengths, 1))
        return state.h[-1]

    def facts(self, story, sentence_lengths, story_lengths) -> jax.Array:
        """float32[batch, sentences, fused]: each sentence in the context of the story."""
        b, s, w = story.shape
        f = self._read(self.reader, story.reshape(b * s, w), sentence_lengths.reshape(-1))
        f = f.reshape(b, s, -1)
        if self.fusion is not None:
            f, _ = self.fusion(self._drop(f), story_lengths)
        if self.temporal is not None:
            age = jnp.clip(story_lengths[:, None] - 1 - jnp.arange(s)[None], 0, None)
            f = f + self.temporal(jnp.minimum(age, self.temporal.num_embeddings - 1))
        return f

    def __call__(self, story, sentence_lengths, story_lengths, question, question_lengths):
        facts = self.facts(story, sentence_lengths, story_lengths)
        q = jnp.tanh(self.to_memory(self._read(self.reader, question, question_lengths)))
        valid = jnp.arange(story.shape[1])[None] < story_lengths[:, None]
        m, weights = q, []
        for _ in range(self.hops):
            z = jnp.concatenate(
                [
                    facts * q[:, None],
                    facts * m[:, None],
                    jnp.abs(facts - q[:, None]),
                    jnp.abs(facts - m[:, None]),
                ],
                -1,
            )
            scores = self.score(jnp.tanh(self.score_hidden(z)))[..., 0]
            g = jax.nn.softmax(jnp.where(valid, scores, -1e9), -1) * valid
            weights.append(g)
            context = jnp.einsum("bs,bsf->bf", g, facts)
            _, h = self.update(jnp.concatenate([context, q], -1)[:, None], initial_state=m[None])
            m = h[0]
        logits = self.out(self._drop(jnp.concatenate([m, q], -1)))
        b = logits.shape[0]
        return logits.reshape(b, self.answer_length, self.answers), jnp.stack(weights, 1)
