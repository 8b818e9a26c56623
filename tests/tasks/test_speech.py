"""The ``speech`` task end to end on synthesized recordings: a tiny BiLSTM-CTC learns to
transcribe connected "digits", predict and the Python API agree, resume is bit-exact,
too-short utterances are counted and kept out of the loss."""

import json
import math
import os

import numpy as np
import pytest
from flax import nnx

import lstm_jax
from configs import fsdd_connected
from lstm_jax.data.toy_speech import RATE, recordings, word
from lstm_jax.tasks import get_task
from lstm_jax.tasks.speech import min_frames
from lstm_jax.train import trainer
from tests.tasks.test_lm import records

sf = pytest.importorskip("soundfile")


def tiny(folder, **overrides):
    c = fsdd_connected.get_config()
    c.data.dir = folder
    c.data.test_rule, c.data.valid_rule = "index=0-2", "index=3-4"
    c.data.connected_train, c.data.connected_valid, c.data.connected_test = 192, 16, 24
    c.data.min_words, c.data.max_words = 1, 3
    c.data.min_silence_ms, c.data.max_silence_ms = 30.0, 80.0
    # one batch width (<= 3 words of <= 0.2 s and 4 gaps <= 80 ms): one shape to compile
    c.data.num_mels, c.data.pad_multiple, c.data.eval_batch_size = 16, 128, 32
    c.batch_size = 16
    c.model.hidden_features, c.model.num_layers, c.model.stack = 24, 1, 2
    c.model.dropout = 0.0
    c.model.freq_masks, c.model.time_masks = 1, 1
    c.model.freq_width, c.model.time_width = 2, 3
    c.decode.beam = 4
    c.optimizer.learning_rate = 1e-2
    c.optimizer.schedule = "constant"
    c.num_train_steps, c.eval_every, c.checkpoint_every, c.log_every = 240, 120, 120, 40
    c.update_from_flattened_dict(overrides)
    return c


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return recordings(tmp_path_factory.mktemp("speech") / "rec", per=12)


def test_tiny_run_learns_to_transcribe(folder, tmp_path):
    c = tiny(folder)
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["wer"] < 0.1 and test["accuracy"] > 0.8, test
    with open(os.path.join(workdir, "transcripts_test.txt")) as f:
        lines = f.read().splitlines()
    assert len(lines) == 24 and all(len(line.split("\t")) == 3 for line in lines)
    rng = np.random.default_rng(5)
    gap = np.zeros(RATE // 20, np.float32)
    wave = np.concatenate([gap, word(2, 1.0, rng), gap, word(0, 1.08, rng), gap])
    sf.write(tmp_path / "two_zero.wav", wave, RATE)
    (line,) = trainer.predict(c, workdir, [str(tmp_path / "two_zero.wav")])
    assert line == f"{tmp_path / 'two_zero.wav'}\ttwo zero"
    trained = lstm_jax.load(workdir)
    assert trained.predict([str(tmp_path / "two_zero.wav")]) == [line]
    assert trained.evaluate("test")["wer"] == pytest.approx(test["wer"])
    rows = [{"audio_filepath": f"{folder}/{d}_bob_0.wav", "text": str(d)} for d in range(3)]
    with open(tmp_path / "mine.jsonl", "w") as f:  # your own recordings, in a manifest
        f.write("".join(json.dumps(r) + "\n" for r in rows))
    assert trained.evaluate(str(tmp_path / "mine.jsonl"))["wer"] < 0.2


def test_killed_and_resumed_equals_unbroken(folder, tmp_path):
    steps = {"eval_every": 10, "checkpoint_every": 10, "log_every": 10}
    c = tiny(folder, num_train_steps=30, **steps)
    trainer.train_and_evaluate(c, str(tmp_path / "a"))
    trainer.train_and_evaluate(tiny(folder, num_train_steps=20, **steps), str(tmp_path / "b"))
    trainer.train_and_evaluate(c, str(tmp_path / "b"))
    a, b = records(tmp_path / "a", "train"), records(tmp_path / "b", "train")
    assert [r["loss"] for r in a] == [r["loss"] for r in b]
    assert records(tmp_path / "a", "test")[-1]["wer"] == records(tmp_path / "b", "test")[-1]["wer"]


def test_too_short_utterances_are_counted_and_weigh_nothing(folder, tmp_path, capsys):
    c = tiny(folder, **{"model.stack": 24})
    task = get_task("speech")
    task.setup(c, str(tmp_path / "w"))
    assert "train utterances are shorter than their transcripts" in capsys.readouterr().out
    model = task.make_model(c, nnx.Rngs(0))
    batch = task.data.batch("train", np.arange(16))
    loss, (metrics, _) = task.loss(model, batch, {})
    frames = -(-batch["lengths"] // 24)
    feasible = [f >= min_frames(y) for f, y in zip(frames, task.data.labels["train"], strict=False)]
    assert 0 < sum(feasible) < 16  # the batch holds both kinds
    assert float(metrics["weight"]) == sum(feasible) and math.isfinite(float(loss))
