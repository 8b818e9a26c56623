"""A user's own data in the layouts Keras, Hugging Face and pandas users have, by config
alone: a folder of class folders, one file of sentence pairs, a CSV without header or time
column, a corpus with a capped vocabulary; then the trained workdir from Python and the
CLI, and the bad input of each layout."""

import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import lstm_jax
from lstm_jax.errors import ConfigError, DataError
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer
from tests.tasks import test_classify, test_forecast, test_lm, test_translate

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def class_folders(root, n=150, seed=0):
    """root/{neg,pos}/doc_i.txt: multi-line documents (a few gzipped) with a cue word."""
    rng = np.random.default_rng(seed)
    for label, name in enumerate(["neg", "pos"]):
        os.makedirs(root / name, exist_ok=True)
        for i in range(n):
            words = list(rng.choice(test_classify.FILLER, 12))
            words.insert(5, str(rng.choice(test_classify.CUES[label])))
            text = " ".join(words[:6]) + "\n" + " ".join(words[6:]) + "\n"
            if i % 10 == 0:
                (root / name / f"doc{i}.txt.gz").write_bytes(gzip.compress(text.encode()))
            else:
                (root / name / f"doc{i}.txt").write_text(text)
    return str(root)


def test_a_folder_of_class_folders_cut_into_three(tmp_path, capsys):
    c = test_classify.tiny({"train": class_folders(tmp_path / "docs"), "valid": "", "test": ""})
    c.data.class_names = "negative,positive"  # not the folders' names: the folders win
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    out = capsys.readouterr().out
    assert "classes from the folders of" in out and "cut into train/valid/test 240/30/30" in out
    assert test["accuracy"] > 0.9, test
    with open(os.path.join(workdir, "split.json")) as f:
        cut = json.load(f)
    assert cut["examples"] == 300 and not set(cut["valid"]) & set(cut["test"])
    trained = lstm_jax.load(workdir)
    (line,) = trained.predict(["the film was great fun"])
    assert line.startswith("pos\t")
    assert trained.evaluate("test") == pytest.approx(test)
    more = class_folders(tmp_path / "more", n=20, seed=1)  # new documents, same layout
    assert trained.evaluate(more)["accuracy"] > 0.9


def test_bad_class_folders(tmp_path):
    root = tmp_path / "docs"
    class_folders(root, n=5)
    c = test_classify.tiny({"train": str(root), "valid": "", "test": ""})
    (root / "pos" / "bad.txt").write_bytes(b"caf\xe9 ok\n")
    with pytest.raises(DataError, match=r"bad.txt' line 1 is not UTF-8"):
        get_task("classify").setup(c, str(tmp_path / "w"))
    os.remove(root / "pos" / "bad.txt")
    os.makedirs(root / "empty")
    with pytest.raises(DataError, match=r"class folder .*empty' has no .txt"):
        get_task("classify").setup(c, str(tmp_path / "w"))
    os.rmdir(root / "empty")
    c.data.valid_fraction = 0.01  # 10 documents: 0.1 of one
    with pytest.raises(ConfigError, match=r"leave the valid split .* empty"):
        get_task("classify").setup(c, str(tmp_path / "w"))
    assert not (tmp_path / "w").exists()  # nothing written


def test_one_file_of_pairs_keeps_each_source_in_one_split(tmp_path, capsys):
    data = test_translate.corpus(tmp_path / "data")
    with open(os.path.join(data, "train.xx")) as a, open(os.path.join(data, "train.yy")) as b:
        pairs = [f"{x.strip()}\t{y.strip()}\tCC-BY" for x, y in zip(a, b, strict=True)]
    pairs += pairs[:50]  # repeated sources
    pairs.append("w1 w2 w3 w4 w5 w6 w7 w1 w2\tt1 t2 t3 t4 t5 t6 t7 t1 t2\tCC-BY")  # 9 words
    (tmp_path / "pairs.tsv.gz").write_bytes(gzip.compress(("\n".join(pairs) + "\n").encode()))
    c = test_translate.tiny(
        str(tmp_path),
        **{"data.train": "pairs.tsv.gz", "data.valid": "", "data.test": "", "data.max_words": 8},
    )
    c.num_train_steps, c.eval_every, c.checkpoint_every = 60, 60, 60
    test = trainer.train_and_evaluate(c, str(tmp_path / "w"))
    out = capsys.readouterr().out
    assert "1 pairs over 8 words dropped" in out and "cut into train/valid/test" in out
    assert test["bleu"] > 0
    task = lstm_jax.load(str(tmp_path / "w")).task  # the cut, as the run made it
    seen = {s: set(task.data.sources[s]) for s in ("train", "valid", "test")}
    assert not (seen["train"] & seen["valid"]) and not (seen["train"] & seen["test"])
    assert not (seen["valid"] & seen["test"])
    (tmp_path / "one.tsv").write_text("w1 w2\tt1 t2\nw3 w4\n")
    with pytest.raises(DataError, match=r"one.tsv:2: 1 column\(s\)"):
        get_task("translate").setup(
            test_translate.tiny(
                str(tmp_path), **{"data.train": "one.tsv", "data.valid": "", "data.test": ""}
            ),
            str(tmp_path / "w2"),
        )


def test_a_csv_without_header_or_time_column(tmp_path):
    named = test_forecast.series(tmp_path / "s.csv")
    with open(named) as f:
        rows = f.read().splitlines()[1:]
    (tmp_path / "bare.csv").write_text("\n".join(r.split(",", 1)[1] for r in rows) + "\n")
    c = test_forecast.tiny(str(tmp_path / "bare.csv"))
    c.data.time_column, c.data.targets, c.data.covariates = "", "0", "1"
    with pytest.raises(DataError, match=r"first row is all numbers: set data\.header=False"):
        get_task("forecast").setup(c, str(tmp_path / "w0"))
    c.data.header = False
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["mae"] < test["naive_mae"], test
    trained = lstm_jax.load(workdir)
    assert len(trained.predict([])) == c.data.horizon
    assert trained.evaluate("valid")["mae"] > 0
    (tmp_path / "text.csv").write_text("1.0,2.0\n1.5,abc\n")
    c.data.file = str(tmp_path / "text.csv")
    with pytest.raises(DataError, match=r"text.csv:2: column '1' holds 'abc', not a number"):
        get_task("forecast").setup(c, str(tmp_path / "w1"))


def test_a_vocabulary_cap_says_what_it_costs(tmp_path, capsys):
    c = test_lm.tiny(test_lm.corpus(tmp_path / "data"), **{"data.vocab_size": 5})
    get_task("lm").setup(c, str(tmp_path / "w"))
    out = capsys.readouterr().out
    assert "vocabulary capped at 5 of 9 training word types" in out
    assert "training," in out and "test tokens become <unk>" in out


def _main(*args):
    return subprocess.run(
        [sys.executable, "-m", "lstm_jax.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=1"),
    )


def test_the_command_line_with_num_epochs_and_a_self_describing_workdir(tmp_path):
    files = test_classify.dataset(tmp_path / "data", sizes=(160, 40, 40))
    workdir = str(tmp_path / "w")
    flags = [f"--config.data.{s}={files[s]}" for s in files]
    flags += ["--config.model.hidden_features=8", "--config.model.embed=8"]
    flags += ["--config.data.pad_multiple=16"]  # one batch width: one compile per program
    r = _main(
        "--config=configs/sst2.py",
        f"--workdir={workdir}",
        *flags,
        "--config.num_epochs=2",
        "--config.batch_size=16",
        "--config.eval_every=10",
        "--config.checkpoint_every=10",
        "--config.progress_seconds=0",
        "--config.log_every=1000",
    )
    assert r.returncode == 0, r.stderr
    assert "num_epochs=2: 20 training steps (10 per epoch)" in r.stdout
    assert "step 20 valid: accuracy=" in r.stdout  # every evaluation has its line
    assert "step 3 of 20: last batch loss=" in r.stdout  # progress, whatever log_every is
    with open(os.path.join(workdir, "config.json")) as f:
        assert json.load(f)["num_train_steps"] == 20
    # eval and predict need only the workdir: its config.json knows the data
    r = _main(f"--workdir={workdir}", "--mode=predict", "the film was great fun")
    assert r.returncode == 0 and r.stdout.strip().endswith("\tthe film was great fun"), r.stderr
    r = _main(f"--workdir={workdir}", "--mode=eval")
    assert r.returncode == 0 and "test accuracy" in r.stdout, r.stderr
    r = _main(f"--workdir={tmp_path / 'none'}", "--mode=eval")
    assert r.returncode == 2 and r.stderr.startswith("error: workdir"), r.stderr
    r = _main(
        "--config=configs/sst2.py",
        f"--workdir={workdir}",
        "--config.num_epochs=1",
        "--config.num_train_steps=5",
    )
    assert r.returncode != 0 and "not both" in r.stderr


def test_resume_says_where_and_warns_of_a_changed_schedule(tmp_path, capsys):
    c = test_classify.tiny(test_classify.dataset(tmp_path / "data", sizes=(160, 40, 40)))
    c.optimizer.schedule, c.num_train_steps = "cosine", 20
    c.eval_every = c.checkpoint_every = 10
    trainer.train_and_evaluate(c, str(tmp_path / "w"))
    c.num_train_steps = 30
    capsys.readouterr()
    trainer.train_and_evaluate(c, str(tmp_path / "w"))
    out = capsys.readouterr().out
    assert "resumed from step 20 of 30" in out
    assert "warning: num_train_steps changed since the checkpoint (20 -> 30)" in out


def test_helpconfig_lists_every_key_with_its_comment():
    r = _main("--config=configs/ptb_small.py", "--helpconfig")
    assert r.returncode == 0, r.stderr
    assert "data.bptt = 20" in r.stdout
    assert "data.random_bptt = False  # AWD-LSTM's variable window length" in r.stdout
    assert "early_stopping_patience = 0  # evaluations without improvement" in r.stdout
