"""The ``translate`` task end to end on a generated word-for-word language, BLEU wiring,
prediction, TFDS through mock data, and the bad input the issue names."""

import os
import subprocess
import sys
from unittest import mock

import numpy as np
import pytest
import sacrebleu

import lstm_jax
from configs import multi30k_de_en, multi30k_en_de
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = [f"w{i}" for i in range(8)]


def corpus(path, sizes=(600, 40, 40), seed=0):
    """Source: 2-6 words; target: each word's translation, in the same order."""
    rng = np.random.default_rng(seed)
    os.makedirs(path, exist_ok=True)
    for split, n in zip(("train", "valid", "test"), sizes, strict=True):
        src, tgt = [], []
        for _ in range(n):
            words = list(rng.choice(WORDS, rng.integers(2, 7)))
            src.append(" ".join(words))
            tgt.append(" ".join(w.replace("w", "t") for w in words))
        for lang, lines in (("xx", src), ("yy", tgt)):
            with open(os.path.join(path, f"{split}.{lang}"), "w") as f:
                f.write("\n".join(lines) + "\n")
    return str(path)


# the tiny setting, as flat keys: also passed to scripts as --config.KEY=VALUE flags
FLAT = {
    "data.train": "train.{lang}",
    "data.valid": "valid.{lang}",
    "data.test": "test.{lang}",
    "data.source_lang": "xx",
    "data.target_lang": "yy",
    "data.tokenizer": "word",
    "data.max_length": 10,
    "data.eval_batch_size": 16,
    "decode.max_length": 10,
    "decode.beam": 3,
    "batch_size": 16,
    "model.embed": 32,
    "model.hidden_features": 32,
    "model.dropout": 0.0,
    "optimizer.learning_rate": 1e-2,
    "optimizer.warmup_steps": 0,
    "num_train_steps": 250,
    "eval_every": 125,
    "checkpoint_every": 125,
    "log_every": 50,
}


def tiny(data_dir, **overrides):
    c = multi30k_de_en.get_config()
    c.update_from_flattened_dict(FLAT)
    c.data.dir = data_dir
    c.update_from_flattened_dict(overrides)
    return c


def test_tiny_run_translates(tmp_path):
    c = tiny(corpus(tmp_path / "data"))
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["bleu"] > 80 and test["beam"] == 3
    with open(os.path.join(workdir, "translations_test.txt")) as f:
        assert len(f.read().splitlines()) == 40
    (line,) = trainer.predict(c, workdir, ["w3 w1 w4"])
    assert line == "t3 t1 t4"
    trained = lstm_jax.load(workdir)
    assert trained.predict(["w3 w1 w4"]) == [line]
    assert trained.evaluate(os.path.join(c.data.dir, "test.{lang}"))["bleu"] == test["bleu"]
    task, model = trainer.load(c, workdir)
    src, out, weights = task.attention_map(model, "w3 w1 w4")
    assert src == ["w3", "w1", "w4"] and out == ["t3", "t1", "t4", "</s>"]
    assert weights.shape == (4, 3)
    np.testing.assert_allclose(weights.sum(1), 1.0, rtol=1e-5)
    png = tmp_path / "att.png"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.attention_heatmap",
            "--config=configs/multi30k_de_en.py",
            f"--workdir={workdir}",
            f"--out={png}",
            *[f"--config.{k}={v}" for k, v in FLAT.items()],
            f"--config.data.dir={c.data.dir}",
            "w3 w1 w4",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert png.stat().st_size > 1000


def test_bleu_wiring_on_known_pairs(tmp_path):
    c = tiny(corpus(tmp_path / "data", sizes=(50, 3, 3)))
    task = get_task("translate")
    task.setup(c, str(tmp_path / "w"))
    refs = task.data.references["test"]
    with mock.patch.object(task, "translate", return_value=refs):
        assert task.corpus_metrics(None, c, "test")["bleu"] == pytest.approx(100.0)
    short = [" ".join(r.split()[:-1]) for r in refs]  # every hypothesis one word short
    with mock.patch.object(task, "translate", return_value=short):
        bleu = task.corpus_metrics(None, c, "test")["bleu"]
    assert bleu == pytest.approx(sacrebleu.corpus_bleu(short, [refs]).score)
    assert 0 < bleu < 100
    ids = task.data.tgt_vocab.encode(["t1", "t2", "</s>", "t3"])[0]
    assert task.detokenize(ids) == "t1 t2"


def test_sentencepiece_joint_vocabulary(tmp_path):
    c = tiny(corpus(tmp_path / "data"), **{"data.tokenizer": "sentencepiece"})
    c.data.vocab_size = 300
    with pytest.raises(ConfigError, match=r"vocab_size=300\): Vocabulary size too high"):
        get_task("translate").setup(c, str(tmp_path / "w0"))
    c.data.vocab_size = 16
    task = get_task("translate")
    task.setup(c, str(tmp_path / "w"))
    assert os.path.exists(tmp_path / "w" / "spm.model")
    ids = task.data.tgt_vocab.encode(task.data.tok_tgt("t1 t7 t2"))[0]
    assert task.detokenize(ids) == "t1 t7 t2"


def test_tfds_through_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    c = tiny("")
    c.data.tfds, c.data.tfds_splits = "ted_hrlr_translate/pt_to_en", "train,validation,test"
    c.data.source_lang, c.data.target_lang = "pt", "en"
    with (
        tfds.testing.mock_data(num_examples=12, policy=tfds.testing.MockPolicy.USE_CODE),
        mock.patch.object(tfds.core.DatasetBuilder, "is_prepared", return_value=True),
    ):
        task = get_task("translate")
        task.setup(c, str(tmp_path / "w"))
    assert len(task.data.src["train"]) == 12 and len(task.data.references["test"]) == 12


def test_bad_input(tmp_path, capsys):
    data = corpus(tmp_path / "data")
    with open(os.path.join(data, "valid.yy"), "a") as f:
        f.write("t1 t2\n")
    with pytest.raises(DataError, match=r"valid.xx' has 40 lines but .*valid.yy' has 41"):
        get_task("translate").setup(tiny(data), str(tmp_path / "w1"))
    data = corpus(tmp_path / "data2")
    task = get_task("translate")
    task.setup(tiny(data, **{"data.max_length": 4}), str(tmp_path / "w2"))
    out = capsys.readouterr().out
    assert "pairs longer than 4 tokens dropped" in out
    assert all(len(s) <= 4 for s in task.data.src["train"])
    with pytest.raises(ConfigError, match=r"unknown data.too_long"):
        get_task("translate").setup(tiny(data, **{"data.too_long": "x"}), str(tmp_path / "w3"))
    c = tiny("")
    c.data.tfds, c.data.dir = "wmt14_translate/de-en", str(tmp_path / "tfds")
    with pytest.raises(DataError, match="not prepared"):
        get_task("translate").setup(c, str(tmp_path / "w4"))


def test_configs_load():
    de_en, en_de = multi30k_de_en.get_config(), multi30k_en_de.get_config()
    assert (de_en.data.source_lang, en_de.data.source_lang) == ("de", "en")
