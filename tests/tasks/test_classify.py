"""The ``classify`` task end to end: a tiny run on generated sentences, metrics and the
confusion matrix, prediction, sentencepiece, TFDS through mock data, bad input."""

import json
import os
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest

from configs import sst2, sst5
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.tasks import get_task
from lstm_jax.tasks.classify import confusion_summary
from lstm_jax.train import trainer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILLER = ["the", "film", "was", "a", "plot", "story", "and", "it", "very", "quite"]
CUES = {0: ["bad", "dull", "awful"], 1: ["good", "great", "fun"]}


def dataset(path, sizes=(400, 80, 80), seed=0):
    """Sentences of filler words with one cue word that decides the label."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    files = {}
    for split, n in zip(("train", "valid", "test"), sizes, strict=True):
        rows = ["sentence\tlabel"]
        for _ in range(n):
            label = int(rng.integers(2))
            words = list(rng.choice(FILLER, rng.integers(2, 12)))
            words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(CUES[label])))
            rows.append(f"{' '.join(words)}\t{label}")
        files[split] = os.path.join(path, f"{split}.tsv")
        with open(files[split], "w") as f:
            f.write("\n".join(rows) + "\n")
    return files


def tiny(files, **overrides):
    c = sst2.get_config()
    c.data.train, c.data.valid, c.data.test = files["train"], files["valid"], files["test"]
    c.data.eval_batch_size = 32
    c.batch_size = 16
    c.model.embed, c.model.hidden_features = 16, 16
    c.model.dropout = 0.0
    c.optimizer.learning_rate = 1e-2
    c.num_train_steps = 120
    c.eval_every = c.checkpoint_every = 60
    c.log_every = 20
    c.update_from_flattened_dict(overrides)
    return c


def test_tiny_run_learns_and_writes_the_confusion_matrix(tmp_path):
    files = dataset(tmp_path / "data")
    c = tiny(files)
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["accuracy"] > 0.95 and test["macro_f1"] > 0.95
    with open(os.path.join(workdir, "confusion_test.json")) as f:
        conf = json.load(f)
    matrix = np.array(conf["matrix"])
    assert conf["classes"] == ["negative", "positive"] and matrix.sum() == 80
    assert np.isclose(np.trace(matrix) / 80, test["accuracy"])
    with open(os.path.join(workdir, "config.json")) as f:
        assert json.load(f)["steps_per_epoch"] == 25  # ceil(400 / 16), from the data
    lines = trainer.predict(c, workdir, ["the film was great fun", "a dull awful plot"])
    assert lines[0].startswith("positive\tnegative=0.") and lines[0].endswith("great fun")
    assert lines[1].startswith("negative\t")
    probs = [float(x.split("=")[1]) for x in lines[0].split("\t")[1].split()]
    assert np.isclose(sum(probs), 1.0, atol=2e-3)


def test_main_predict_from_the_command_line(tmp_path):
    files = dataset(tmp_path / "data")
    workdir = str(tmp_path / "w")
    flags = [f"--config.data.{s}={files[s]}" for s in files] + [
        "--config.model.hidden_features=8",
        "--config.model.embed=8",
        "--config.num_train_steps=20",
        "--config.eval_every=20",
        "--config.data.pad_multiple=16",  # one batch width: one compile per program
    ]
    cmd = [
        sys.executable,
        "-m",
        "lstm_jax.main",
        "--config=configs/sst2.py",
        f"--workdir={workdir}",
    ]
    subprocess.run([*cmd, *flags], cwd=REPO, check=True, capture_output=True)
    out = subprocess.run(
        [*cmd, *flags, "--mode=predict", "great fun"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("\tgreat fun")


def test_macro_f1_and_accuracy_from_a_confusion_matrix():
    out = confusion_summary(np.array([[8, 2], [4, 6]]) / 20)
    p = np.array([8 / 12, 6 / 8])
    r = np.array([8 / 10, 6 / 10])
    assert np.isclose(out["accuracy"], 0.7)
    assert np.isclose(out["macro_f1"], np.mean(2 * p * r / (p + r)))


def test_sentencepiece_tokenizer_is_trained_once_and_kept(tmp_path):
    files = dataset(tmp_path / "data", sizes=(300, 20, 20))
    c = tiny(files, **{"data.tokenizer": "sentencepiece", "data.vocab_size": 40})
    workdir = str(tmp_path / "w")
    task = get_task("classify")
    task.setup(c, workdir)
    assert os.path.exists(os.path.join(workdir, "spm.model"))
    again = get_task("classify")
    again.setup(c, workdir)
    assert again.data.vocab == task.data.vocab and again.data.tokenizer(
        "great fun"
    ) == task.data.tokenizer("great fun")


def test_tfds_through_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    c = tiny({"train": "", "valid": "", "test": ""})
    c.data.tfds, c.data.tfds_splits = "imdb_reviews", "train,test,test"
    c.data.text_column, c.data.tokenizer = "text", "wordpunct"
    with (
        tfds.testing.mock_data(num_examples=20, policy=tfds.testing.MockPolicy.USE_CODE),
        mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True),
    ):
        task = get_task("classify")
        task.setup(c, str(tmp_path / "w"))
    assert len(task.data.seqs["train"]) == 20 and set(task.data.labels["train"]) <= {0, 1}


def test_tfds_not_prepared_is_an_error_not_a_download(tmp_path):
    c = tiny({"train": "", "valid": "", "test": ""})
    c.data.tfds, c.data.dir = "glue/sst2", str(tmp_path / "tfds")
    with pytest.raises(DataError, match="not prepared"):
        get_task("classify").setup(c, str(tmp_path / "w"))


def test_bad_input(tmp_path, capsys):
    files = dataset(tmp_path / "data")
    c = tiny(files, **{"data.class_names": "negative,positive,neutral"})
    get_task("classify").setup(c, str(tmp_path / "w0"))  # a class absent from the data is fine
    c = tiny(files, **{"data.text_column": "text"})
    with pytest.raises(DataError, match="has no column 'text'"):
        get_task("classify").setup(c, str(tmp_path / "w1"))
    with open(files["valid"], "a") as f:
        f.write("\t1\n")
    get_task("classify").setup(tiny(files), str(tmp_path / "w2"))
    assert "valid: 1 rows with an empty text skipped" in capsys.readouterr().out
    with pytest.raises(ConfigError, match=r"unknown data.tokenizer 'bpe'"):
        get_task("classify").setup(tiny(files, **{"data.tokenizer": "bpe"}), str(tmp_path / "w3"))
    with pytest.raises(ConfigError, match=r"data.test is empty: set both data.valid and"):
        get_task("classify").setup(tiny(files, **{"data.test": ""}), str(tmp_path / "w4"))


def test_configs_load():
    assert sst2.get_config().task == sst5.get_config().task == "classify"
    assert len(sst5.get_config().data.class_names.split(",")) == 5
    # :vectors differs from the default only in where the embedding starts
    for module in (sst2, sst5):
        plain, vectors = module.get_config().to_dict(), module.get_config("vectors").to_dict()
        assert vectors["data"].pop("vectors") == sst2.VECTORS and not plain["data"].pop("vectors")
        assert vectors["data"].pop("vectors_vocab") and not plain["data"].pop("vectors_vocab")
        assert plain == vectors
    with pytest.raises(ConfigError, match=r"unknown variant 'glove': use :random"):
        sst5.get_config("glove")


def test_vectors_vocab_gives_unseen_words_their_vectors(tmp_path):
    files = dataset(tmp_path / "data", sizes=(40, 10, 10))
    with open(files["test"], "a") as f:
        f.write("a superb film\t1\n")
    vectors = tmp_path / "v.txt"
    rows = {"superb": 1.0, "good": 2.0, "<unk>": 3.0, "superb ": 4.0}  # a repeat is skipped
    vectors.write_text(
        "".join(f"{w.strip()} " + " ".join([str(v)] * 16) + "\n" for w, v in rows.items())
    )
    datas = {}
    for extend in (False, True):
        c = tiny(files, **{"data.vectors": str(vectors), "data.vectors_vocab": extend})
        task = get_task("classify")
        task.setup(c, str(tmp_path / f"w{extend}"))
        datas[extend] = task.data
    plain, extended = datas[False].vocab, datas[True].vocab
    assert "superb" not in plain.stoi
    # the training words first, in the same order; then the file's new words; <unk> last
    assert extended.itos == [*plain.itos[:-1], "superb", "<unk>"]
    table = datas[True].embedding
    np.testing.assert_array_equal(table[extended.stoi["superb"]], np.ones(16))
    np.testing.assert_array_equal(table[extended.stoi["good"]], np.full(16, 2.0))
    superb = datas[True].seqs["test"][-1]
    assert extended.stoi["superb"] in superb and extended.stoi["<unk>"] not in superb
