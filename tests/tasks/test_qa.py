"""The ``qa`` task end to end on generated bAbI-format stories: a tiny reader learns a
single-supporting-fact task, predict shows its attention, resume is bit-exact, fact
supervision and joint per-task metrics."""

import pytest

import lstm_jax
from configs import babi as babi_config
from lstm_jax.data.babi import toy_stories as stories
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer
from tests.data.test_babi import write_task
from tests.tasks.test_lm import records


def tiny(root, **overrides):
    c = babi_config.get_config()
    c.data.dir, c.data.task = str(root), 1
    c.data.eval_batch_size = 64
    c.model.embed, c.model.hidden_features = 32, 48
    c.model.hops, c.model.dropout = 1, 0.0
    c.optimizer.learning_rate = 5e-3
    c.num_train_steps, c.eval_every, c.checkpoint_every, c.log_every = 400, 200, 200, 100
    c.update_from_flattened_dict(overrides)
    return c


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("babi")
    write_task(root / "en", 1, "single-supporting-fact", stories(400), stories(100, 1))
    return root


def test_tiny_run_learns_and_predict_shows_the_attention(root, tmp_path):
    c = tiny(root)
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["accuracy"] > 0.9, test  # 0.97 at this seed
    story = ["1 John went to the garden.", "2 Mary went to the office.", "3 Where is John?"]
    lines = trainer.predict(c, workdir, story)
    assert lines[0] == "where is john? -> garden", lines
    assert lines[1].startswith("  hop 1: ") and "john went to the garden" in lines[1].split(";")[0]
    assert lstm_jax.load(workdir).predict(story) == lines


def test_killed_and_resumed_equals_unbroken(root, tmp_path):
    steps = {"eval_every": 10, "checkpoint_every": 10, "log_every": 10}
    c = tiny(root, num_train_steps=30, **{"model.dropout": 0.2}, **steps)
    trainer.train_and_evaluate(c, str(tmp_path / "a"))
    half = tiny(root, num_train_steps=20, **{"model.dropout": 0.2}, **steps)
    trainer.train_and_evaluate(half, str(tmp_path / "b"))
    trainer.train_and_evaluate(c, str(tmp_path / "b"))
    a, b = records(tmp_path / "a", "train"), records(tmp_path / "b", "train")
    assert [r["loss"] for r in a] == [r["loss"] for r in b]
    assert records(tmp_path / "a", "test")[-1] == records(tmp_path / "b", "test")[-1] | {
        "wall_time": records(tmp_path / "a", "test")[-1]["wall_time"]
    }


def test_fact_supervision_and_per_task_metrics(root, tmp_path):
    import numpy as np
    from flax import nnx

    c = tiny(root, **{"model.fact_supervision": 1.0, "model.hops": 2})
    task = get_task("qa")
    task.setup(c, str(tmp_path / "w"))
    model = task.make_model(c, nnx.Rngs(0))
    batch = task.data.batch("train", np.arange(8))
    loss, (metrics, _) = task.loss(model, batch, {})
    assert float(loss) > float(metrics["nll"])  # the attention term is added
    two = {"task_share": np.eye(21)[[3, 5]].mean(0), "task_correct": np.eye(21)[3] / 2}
    out = task.summarize({"accuracy": 0.5, **two}, c, "test")
    assert out["accuracy_task3"] == 1.0 and out["accuracy_task5"] == 0.0
    assert out["error_mean"] == 0.5 and out["tasks_passed"] == 1.0


def test_an_answer_no_training_answer_has_is_an_error(root, tmp_path):
    odd = tmp_path / "odd"
    write_task(
        odd / "en", 1, "x", stories(20), "1 Mary went to the moon.\n2 Where is Mary?\tmoon\t1\n"
    )
    with pytest.raises(DataError, match=r"qa1_x_test.txt:2: answer 'moon' has a word"):
        get_task("qa").setup(tiny(odd), str(tmp_path / "w"))


def test_an_unknown_attention_is_a_config_error_and_old_configs_still_pass():
    c = babi_config.get_config()
    c.model.attention = "cosine"
    with pytest.raises(
        ConfigError, match=r"model.attention must be one of mlp, dot, adjacent, got"
    ):
        get_task("qa").check_config(c)
    c.model.attention, c.model.skip, c.model.embed = "adjacent", True, 32
    with pytest.raises(ConfigError, match=r"model.skip .* set model.embed = model.hidden_features"):
        get_task("qa").check_config(c)
    c.model.skip = False
    c.model.attention, c.model.tie_question = "dot", True
    with pytest.raises(ConfigError, match=r"model.tie_question .* set model.attention=adjacent"):
        get_task("qa").check_config(c)
    c.model.tie_question = False
    c.model.encoder = "words"
    with pytest.raises(ConfigError, match=r"model.encoder must be one of sentence, story"):
        get_task("qa").check_config(c)
    c.model.encoder, c.model.bidirectional, c.model.hidden_features = "story", True, 63
    with pytest.raises(ConfigError, match=r"model.bidirectional .* make it even \(got 63\)"):
        get_task("qa").check_config(c)
    c.model.bidirectional = False
    del c.model["attention"], c.model["pool"]  # a workdir from before these keys
    get_task("qa").check_config(c)
