"""QAReader: shapes, attention gives padding sentences weight 0 and padding never changes
the answer (DMN+'s and MemN2N's attention), one optimizer step changes every parameter,
linear start and random noise."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from lstm_jax.models.qa import QAReader


def make(embed=8, **kw):
    return QAReader(20, 6, 2, embed, 12, hops=2, rngs=nnx.Rngs(0), **kw)


def inputs(sentences=3, width=4, extra=0):
    """One story of 3 sentences, padded to ``sentences`` (+ garbage words in padding)."""
    story = jnp.zeros((1, sentences, width), jnp.int32)
    story = story.at[0, :3, :3].set(jnp.array([[3, 4, 5], [6, 7, 8], [9, 10, 11]]))
    if extra:
        story = story.at[0, 3:].set(13)  # padding that holds real ids must not leak
    lengths = jnp.zeros((1, sentences), jnp.int32).at[0, :3].set(3)
    return story, lengths, jnp.array([3]), jnp.array([[2, 4, 0]]), jnp.array([2])


MEMN2N = dict(attention="dot", pool="position", max_sentences=10, noise=0.1)
# adjacent tying, m + read, the word embeddings beside the LSTM's outputs, a tanh answer
# layer, the question read into the first key space
ADJACENT = dict(
    MEMN2N,
    attention="adjacent",
    memory_update="add",
    skip=True,
    embed=12,
    answer_hidden=16,
    tie_question=True,
)
# the whole story read as one sequence, each sentence closed by the end marker
STORY = dict(MEMN2N, encoder="story")
BISTORY = dict(ADJACENT, encoder="story", bidirectional=True)


# dot and adjacent attention mask alike (one einsum path); adjacent has more to get wrong
@pytest.mark.parametrize(
    "kw",
    [{}, ADJACENT, STORY, dict(BISTORY, pool="last")],
    ids=["mlp", "adjacent", "story", "bistory-last"],
)
def test_shapes_and_attention_masks_padding(kw):
    model = make(**kw)
    model.eval()
    run = nnx.jit(lambda m, *a: m(*a))  # eager scans are slower than compiling them
    logits, att = run(model, *inputs())
    assert logits.shape == (1, 2, 6) and att.shape == (1, 2, 3)
    wide_logits, wide_att = run(model, *inputs(sentences=8, width=6, extra=1))
    assert wide_att.shape == (1, 2, 8)
    np.testing.assert_array_equal(wide_att[0, :, 3:], 0.0)
    np.testing.assert_allclose(wide_att.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(wide_att[..., :3], att, atol=1e-6)
    np.testing.assert_allclose(wide_logits, logits, atol=1e-5)


@pytest.mark.parametrize(
    "kw",
    [{}, MEMN2N, ADJACENT, STORY, BISTORY],
    ids=["mlp", "dot", "adjacent", "story", "bistory"],
)
def test_one_step_changes_every_parameter(kw):
    model = make(dropout=0.1, **kw)
    story = jax.random.randint(jax.random.key(1), (4, 5, 6), 1, 20)
    lengths = jnp.array([[6, 3, 2, 5, 1]] * 4)
    args = (story, lengths, jnp.array([5, 4, 2, 3]), story[:, 0, :4], jnp.array([4, 3, 2, 4]))
    answer = jnp.array([[1, 0], [2, 3], [4, 0], [5, 1]])
    before = jax.tree.map(np.array, nnx.state(model, nnx.Param))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

    def loss(m):
        logits, att = m(*args)
        ce = optax.softmax_cross_entropy_with_integer_labels(logits, answer).mean()
        return ce - jnp.log(att[:, :, 0] + 1e-9).mean()  # the attention layers get a gradient

    optimizer.update(model, nnx.jit(nnx.grad(loss))(model))
    after = nnx.state(model, nnx.Param)
    for (path, a), b in zip(
        jax.tree_util.tree_leaves_with_path(before), jax.tree.leaves(after), strict=True
    ):
        assert not np.allclose(a, b), f"{jax.tree_util.keystr(path)} did not change"


def test_linear_start_leaves_out_the_softmax_until_its_step():
    graphdef, state = nnx.split(make(**MEMN2N, linear_start=5))

    @jax.jit
    def weight_sums(state, step):  # as the training loop does it: the step set inside jit
        model = nnx.merge(graphdef, state)
        model.set_attributes(train_step=step, raise_if_not_found=False)
        return model(*inputs())[1].sum(-1)

    assert not np.allclose(weight_sums(state, 4), 1.0)  # raw scores
    np.testing.assert_allclose(weight_sums(state, 5), 1.0, rtol=1e-6)


def test_random_noise_only_delays_ages_in_training():
    model = make(**MEMN2N)
    lengths = jnp.array([4, 2])
    model.noise = 0.5
    noisy = np.stack([model._age(lengths, 4) for _ in range(8)])
    model.eval()
    exact = np.asarray(model._age(lengths, 4))
    np.testing.assert_array_equal(exact, [[3, 2, 1, 0], [1, 0, 0, 0]])
    assert (noisy >= exact).all() and (noisy[:, 0] != exact[0]).any()
    assert (np.diff(noisy[:, 0], axis=-1) < 0).all()  # earlier sentences stay older


def test_story_encoder_reads_the_sentences_in_order_as_one_sequence():
    """A fact of the story encoder is the reader's output at its sentence's end marker
    after every earlier sentence and marker, packed without padding between them."""
    model = make(**dict(STORY, pool="last"))
    model.eval()
    story, lengths, n, _, _ = inputs(sentences=5, width=6, extra=1)
    lengths = lengths.at[0, 1].set(2)  # a shorter middle sentence: its padding is skipped
    facts = model._read_story(story, lengths, n)
    words = [3, 4, 5, None, 6, 7, None, 9, 10, 11, None]  # None: the end marker
    x = jnp.stack(
        [model.sentence_end[...] if w is None else model.embed(jnp.array(w)) for w in words]
    )
    h, _ = model.reader(x[None])
    np.testing.assert_allclose(facts[0, :3], h[0, jnp.array([3, 6, 10])], atol=1e-6)
    # a sentence's fact sees the sentences before it, not those after
    changed = model._read_story(story.at[0, 2, 0].set(12), lengths, n)
    np.testing.assert_array_equal(changed[0, :2], facts[0, :2])
    assert not np.allclose(changed[0, 2], facts[0, 2])
    changed = model._read_story(story.at[0, 0, 0].set(12), lengths, n)
    assert not np.allclose(changed[0, 1], facts[0, 1])
