"""The ``lm`` task end to end: tiny runs on generated text, perplexity, generation,
exact resume, TFDS through mock data, and every bad input the issue names."""

import json
import math
import os
import subprocess
import sys
from unittest import mock

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import lstm_jax
from configs import char_shakespeare, ptb_small
from lstm_jax.errors import CheckpointError, ConfigError, DataError
from lstm_jax.models.language_model import LanguageModel
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANIMALS, VERBS = ["cat", "dog", "fox", "owl"], ["sees", "likes", "bites"]


def corpus(path, lines=(600, 60, 60), seed=0, extra=""):
    """A tiny grammar: 'the <animal> <verb> the <animal>', which an LSTM learns fast."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    for split, n in zip(("train", "valid", "test"), lines, strict=True):
        rows = [
            f"the {rng.choice(ANIMALS)} {rng.choice(VERBS)} the {rng.choice(ANIMALS)}"
            for _ in range(n)
        ]
        if split == "valid" and extra:
            rows.append(extra)
        with open(os.path.join(path, f"{split}.txt"), "w") as f:
            f.write("\n".join(rows) + "\n")
    return str(path)


def tiny(data_dir, **overrides):
    c = ptb_small.get_config()
    c.data.dir = data_dir
    c.data.vocab_size = 0
    c.data.bptt = 6
    c.data.eval_batch_size = 8
    c.batch_size = 8
    c.model.embed = c.model.hidden_features = 16
    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 3e-2
    c.optimizer.schedule = "constant"
    c.num_train_steps = 150
    c.eval_every = c.checkpoint_every = c.log_every = 50
    c.predict.length = 8
    c.update_from_flattened_dict(overrides)
    return c


def records(workdir, split):
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r["split"] == split]


def test_tiny_end_to_end_learns_the_grammar(tmp_path):
    c = tiny(corpus(tmp_path / "data"))
    test = trainer.train_and_evaluate(c, str(tmp_path / "w"))
    # the grammar's own perplexity is 2.0 (4 x 3 x 4 choices per 6 tokens); word
    # frequencies alone give about 7
    assert test["perplexity"] < 2.6, test
    with open(tmp_path / "w" / "config.json") as f:  # the run's config: from the corpus
        assert json.load(f)["steps_per_epoch"] == (3600 // 8 - 1) // 6
    assert c.steps_per_epoch == ptb_small.get_config().steps_per_epoch  # c itself untouched
    valid = records(tmp_path / "w", "valid")
    assert valid[-1]["perplexity"] < valid[0]["perplexity"]
    assert os.path.exists(tmp_path / "w" / "vocab.jsonl")
    trained = lstm_jax.load(str(tmp_path / "w"), {"predict.length": 4})
    assert len(trained.predict(["the cat"])[0].split()) >= 4
    assert trained.evaluate("test")["nll"] == pytest.approx(test["nll"])


def test_a_gru_language_model_learns_the_grammar(tmp_path):
    # the RNN cell shares this path; its carried state is checked in tests/models
    c = tiny(corpus(tmp_path / "data"), **{"model.cell": "gru"})
    test = trainer.train_and_evaluate(c, str(tmp_path / "w"))
    assert test["perplexity"] < 2.8, test
    assert len(trainer.predict(c, str(tmp_path / "w"), ["the cat"])[0].split()) > 2


def test_train_tokens_keeps_the_vocabulary_and_cuts_the_corpus(tmp_path):
    data = corpus(tmp_path / "data")
    whole, part = get_task("lm"), get_task("lm")
    whole.setup(tiny(data), str(tmp_path / "a"))
    part.setup(tiny(data, **{"data.train_tokens": 1000}), str(tmp_path / "b"))
    assert len(part.data.ids["train"]) == 1000 and len(whole.data.ids["train"]) == 3600
    np.testing.assert_array_equal(part.data.ids["train"], whole.data.ids["train"][:1000])
    assert part.data.vocab.itos == whole.data.vocab.itos
    with pytest.raises(ConfigError, match="train_tokens must be an int >= 0"):
        get_task("lm").setup(tiny(data, **{"data.train_tokens": -1}), str(tmp_path / "c"))


def test_generation_is_repeatable_by_seed(tmp_path):
    c = tiny(corpus(tmp_path / "data"), num_train_steps=20)
    trainer.train_and_evaluate(c, str(tmp_path / "w"))
    a = trainer.predict(c, str(tmp_path / "w"), ["the cat", ""])
    b = trainer.predict(c, str(tmp_path / "w"), ["the cat", ""])
    assert a == b and a[0].startswith("the cat ") and len(a[0].split()) > 2
    c.predict.seed = 1
    assert trainer.predict(c, str(tmp_path / "w"), ["the cat", ""]) != a
    c.predict.temperature = 0.0  # greedy: the same whatever the seed
    g = trainer.predict(c, str(tmp_path / "w"), ["the"])
    c.predict.seed = 7
    assert trainer.predict(c, str(tmp_path / "w"), ["the"]) == g


def test_perplexity_of_a_hand_checked_model():
    task = get_task("lm")
    task.config = tiny("/unused")
    m = LanguageModel(3, 2, 2, 1, rngs=nnx.Rngs(0))
    m.decoder[...] = jnp.zeros((2, 3))
    m.decoder_bias[...] = jnp.log(jnp.asarray([0.5, 0.25, 0.25]))  # p(next) whatever came before
    m.eval()
    batch = {
        "inputs": jnp.zeros((1, 5), jnp.int32),
        "targets": jnp.asarray([[0, 1, 2, 0, 2]]),
        "weights": jnp.asarray([[1.0, 1, 1, 1, 0]]),  # the last step is padding
        "reset": jnp.zeros(1),
    }
    _, (metrics, _) = task.loss(m, batch, ((jnp.zeros((1, 2)), jnp.zeros((1, 2))),))
    assert float(metrics["weight"]) == 4
    out = task.summarize({"nll": float(metrics["nll"])}, task.config, "test")
    np.testing.assert_allclose(out["nll"], 1.5 * math.log(2), rtol=1e-6)
    np.testing.assert_allclose(out["perplexity"], 2**1.5, rtol=1e-6)


def test_killed_and_resumed_equals_unbroken(tmp_path):
    data = corpus(tmp_path / "data")
    drop = {"model.input_dropout": 0.3, "model.weight_drop": 0.3, "model.variational": True}
    drop.update({"log_every": 10, "eval_every": 10, "checkpoint_every": 10})
    c = tiny(data, num_train_steps=40, **drop)
    trainer.train_and_evaluate(c, str(tmp_path / "a"))
    half = tiny(data, num_train_steps=20, **drop)
    trainer.train_and_evaluate(half, str(tmp_path / "b"))
    trainer.train_and_evaluate(tiny(data, num_train_steps=40, **drop), str(tmp_path / "b"))
    a, b = records(tmp_path / "a", "train"), records(tmp_path / "b", "train")
    assert [r["loss"] for r in a] == [r["loss"] for r in b]
    assert records(tmp_path / "a", "test")[-1]["nll"] == records(tmp_path / "b", "test")[-1]["nll"]


def test_char_level_from_one_file(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("to be or not to be, that is the question.\n" * 200)
    c = char_shakespeare.get_config()
    c.data.file = str(path)
    c.batch_size, c.data.bptt, c.data.eval_bptt, c.data.eval_batch_size = 8, 20, 50, 8
    c.model.embed = c.model.hidden_features = 32
    c.optimizer.learning_rate = 1e-2
    c.num_train_steps = c.eval_every = c.checkpoint_every = c.log_every = 60
    test = trainer.train_and_evaluate(c, str(tmp_path / "w"))
    assert test["bpc"] < 3.0 and math.isclose(test["bpc"], test["nll"] / math.log(2))
    c.predict.length = 20
    (line,) = trainer.predict(c, str(tmp_path / "w"), ["to be"])
    assert line.startswith("to be") and len(line) == 25


def test_tfds_text_through_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    c = tiny("", **{"data.tfds": "tiny_shakespeare", "data.level": "char"})
    c.data.bptt, c.num_train_steps = 4, 2
    with (
        tfds.testing.mock_data(num_examples=50, policy=tfds.testing.MockPolicy.USE_CODE),
        mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True),
    ):
        task = get_task("lm")
        task.setup(c, str(tmp_path / "w"))
    assert len(task.data.ids["train"]) > 10 and len(task.data.ids["test"]) > 10


def test_tfds_not_prepared_is_an_error_not_a_download(tmp_path):
    c = tiny(str(tmp_path / "tfds"), **{"data.tfds": "tiny_shakespeare"})
    with pytest.raises(DataError, match="not prepared"):
        get_task("lm").setup(c, str(tmp_path / "w"))


def test_out_of_vocabulary_words_are_counted(tmp_path, capsys):
    c = tiny(corpus(tmp_path / "data", extra="the zebra sees the unicorn"))
    task = get_task("lm")
    task.setup(c, str(tmp_path / "w"))
    assert task.data.oov == {"train": 0, "valid": 2, "test": 0}
    assert "valid: 2 of" in capsys.readouterr().out


def test_bad_data(tmp_path):
    data = corpus(tmp_path / "data")
    os.remove(os.path.join(data, "valid.txt"))
    with pytest.raises(DataError, match="no valid file"):
        get_task("lm").setup(tiny(data), str(tmp_path / "w"))
    with pytest.raises(ConfigError, match="bptt=5000 is longer"):
        get_task("lm").setup(
            tiny(corpus(tmp_path / "d2"), **{"data.bptt": 5000}), str(tmp_path / "x")
        )


def test_workdir_vocabulary_must_match_the_data(tmp_path):
    c = tiny(corpus(tmp_path / "data"), num_train_steps=2)
    trainer.train_and_evaluate(c, str(tmp_path / "w"))
    other = tiny(corpus(tmp_path / "other", extra="", seed=1), num_train_steps=2)
    with open(os.path.join(other.data.dir, "train.txt"), "a") as f:
        f.write("a brand new word\n")
    with pytest.raises(CheckpointError, match="vocabulary"):
        trainer.train_and_evaluate(other, str(tmp_path / "w"))
    assert os.path.exists(tmp_path / "w" / "vocab.jsonl")


def test_main_reports_a_missing_data_dir_in_one_line(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstm_jax.main",
            "--config=configs/ptb_small.py",
            f"--workdir={tmp_path}/w",
            f"--config.data.dir={tmp_path}/nope",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error: config.data.dir")


def test_nt_asgd_switches_averaging_on_and_checkpoints_it(tmp_path, monkeypatch, capsys):
    import optax

    from lstm_jax.train import nt_asgd, optim
    from lstm_jax.train.checkpoint import Checkpoints
    from lstm_jax.train.run import Run

    monkeypatch.setattr(nt_asgd, "nonmono_trigger", lambda *a: True)  # the rule: test_policies
    c = tiny(corpus(tmp_path / "data"), num_train_steps=60)
    c.optimizer.name, c.optimizer.learning_rate = "sgd", 1.0
    c.optimizer.average = "nonmono"
    c.eval_every = c.log_every = c.checkpoint_every = 10
    trainer.train_and_evaluate(c, str(tmp_path / "w"))
    assert "step 10: nll stopped improving; averaging on" in capsys.readouterr().out
    run = Run(c, str(tmp_path / "w"))
    with Checkpoints(str(tmp_path / "w"), 1, "nll", "min") as ckpts:
        state, meta = ckpts.restore_latest(run.abstract_state())
    assert meta["policies"]["nt_asgd"]["on"]
    assert int(optax.tree.get(state["opt_state"], "avg_count")) == 50  # steps 11..60
    assert optim.eval_params(state) is not state["params"]
