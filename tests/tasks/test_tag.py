"""The ``tag`` task end to end on generated CoNLL files: entity F1, predict, bad input."""

import os
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest

import lstm_jax
from configs import conll2003_ner
from lstm_jax.errors import DataError
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer

PEOPLE, PLACES = ["Anna", "Bert", "Carla", "Dmitri"], ["Paris", "Oslo", "Lima", "Rome"]
FILLER = ["the", "visited", "met", "in", "and", "today", "said"]


def conll_files(path, sizes=(300, 40, 40), seed=0):
    """IOB1 files: people are PER, places LOC (two-word places sometimes), the rest O."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    for split, n in zip(("train", "valid", "test"), sizes, strict=True):
        lines = ["-DOCSTART- -X- -X- O", ""]
        for _ in range(n):
            for _ in range(int(rng.integers(3, 9))):
                r = rng.random()
                if r < 0.2:
                    lines.append(f"{rng.choice(PEOPLE)} NNP B-NP I-PER")
                elif r < 0.35:
                    lines.append(f"{rng.choice(PLACES)} NNP B-NP I-LOC")
                else:
                    lines.append(f"{rng.choice(FILLER)} XX B-XX O")
            lines.append("")
        with open(os.path.join(path, split), "w") as f:
            f.write("\n".join(lines) + "\n")
    return str(path)


def tiny(data_dir, **overrides):
    c = conll2003_ner.get_config()
    c.data.dir = data_dir
    c.data.train, c.data.valid, c.data.test = "train", "valid", "test"
    c.data.eval_batch_size = 16
    c.batch_size = 16
    c.model.embed = c.model.hidden_features = 16
    c.model.char_embed = c.model.char_hidden = 8
    c.model.dropout = 0.0
    c.optimizer.learning_rate = 1e-2
    c.num_train_steps = 120
    c.eval_every = c.checkpoint_every = 60
    c.log_every = 20
    c.update_from_flattened_dict(overrides)
    return c


@pytest.mark.parametrize("crf", [True, False])
def test_tiny_run_finds_the_entities(tmp_path, crf):
    c = tiny(conll_files(tmp_path / "data"), **{"model.crf": crf})
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["f1"] > 0.9, test
    (line,) = trainer.predict(c, workdir, ["Anna visited Oslo today"])
    assert line == "Anna/S-PER visited/O Oslo/S-LOC today/O"
    trained = lstm_jax.load(workdir)  # the Python API: the same predictions and metrics
    assert trained.predict(["Anna visited Oslo today"]) == [line]
    assert trained.evaluate("test")["f1"] == pytest.approx(test["f1"])


def test_unknown_tags_at_evaluation_are_an_error(tmp_path):
    data = conll_files(tmp_path / "data")
    with open(os.path.join(data, "test"), "a") as f:
        f.write("Acme NNP B-NP I-ORG\n\n")
    with pytest.raises(DataError, match=r"test \(test\) has tags the training data never has"):
        get_task("tag").setup(tiny(data), str(tmp_path / "w"))


class _Source(list):
    """What ``tfds.data_source`` gives for conll2003: examples plus the label names."""


def fake_source(examples):
    source = _Source(examples)
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    ner = SimpleNamespace(feature=SimpleNamespace(names=names))
    source.dataset_info = SimpleNamespace(features={"ner": ner})
    return source


def test_tfds_conll_source(tmp_path):
    from lstm_jax.data import conll

    examples = fake_source(
        [
            {"tokens": [b"Anna", b"visited", b"Oslo"], "ner": [1, 0, 3]},
            {"tokens": [b"Bert", b"met", b"Carla"], "ner": [1, 0, 1]},
        ]
    )
    with mock.patch.object(conll, "open_split", return_value=examples):
        c = tiny("", **{"data.tfds": "conll2003", "data.scheme": "bio"})
        task = get_task("tag")
        task.setup(c, str(tmp_path / "w"))
    assert task.data.sentences["test"][0] == (["Anna", "visited", "Oslo"], ["S-PER", "O", "S-LOC"])
    bad = fake_source([{"tokens": [b"Anna"], "ner": [1, 0]}])
    with (
        mock.patch.object(conll, "open_split", return_value=bad),
        pytest.raises(DataError, match=r"has 1 tokens but 2 tags"),
    ):
        conll.read_tfds_conll("conll2003", "train", None, "ner")


def test_tfds_not_prepared_is_an_error_not_a_download(tmp_path):
    c = tiny(str(tmp_path / "tfds"), **{"data.tfds": "conll2003"})
    with pytest.raises(DataError, match="not prepared"):
        get_task("tag").setup(c, str(tmp_path / "w"))
