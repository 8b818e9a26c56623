"""Faults and bad input, in process: a corrupted checkpoint, eval/predict on a workdir
that holds no run, a diverging run, a finished run started again, a workdir in use, and
config files that do not load. (Kills and signals: test_processes.py.)"""

import json
import os

import pytest

import lstm_jax
from lstm_jax.errors import CheckpointError, TrainingDivergedError, WorkdirInUseError
from lstm_jax.train import trainer
from lstm_jax.train.workdir import WorkdirLock
from tests.train.test_trainer import _main, records, tiny


def corrupt(step_dir):
    """Flips bytes all over a saved step's array files, as a bad disk would."""
    for root, _, files in os.walk(os.path.join(step_dir, "state")):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                data = bytearray(f.read())
            for i in range(20, len(data), 7):
                data[i] ^= 0xFF
            with open(path, "wb") as f:
                f.write(data)


def strip(rows):
    timing = {"wall_time", "steps_per_s", "examples_per_s", "tokens_per_s"}
    return [{k: v for k, v in r.items() if k not in timing} for r in rows]


def test_corrupted_newest_checkpoint_resumes_from_the_newest_readable(tmp_path, capsys):
    straight = trainer.train_and_evaluate(tiny(), str(tmp_path / "a"))
    trainer.train_and_evaluate(tiny(num_train_steps=8), str(tmp_path / "b"))
    corrupt(tmp_path / "b" / "checkpoints" / "8")
    capsys.readouterr()
    resumed = trainer.train_and_evaluate(tiny(), str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert "checkpoint step 8 cannot be read" in out and "resuming from step 4" in out
    assert (tmp_path / "b" / "corrupt" / "checkpoints-8").is_dir()  # kept, not deleted
    assert resumed == straight
    assert strip(records(tmp_path / "b")) == strip(records(tmp_path / "a"))


def test_no_readable_checkpoint_is_one_line_and_nothing_is_rewritten(tmp_path):
    c = tiny(num_train_steps=8, keep_checkpoints=1)
    trainer.train_and_evaluate(c, str(tmp_path))
    corrupt(tmp_path / "checkpoints" / "8")
    before = {p: (tmp_path / p).read_bytes() for p in ("config.json", "metrics.jsonl")}
    with pytest.raises(CheckpointError, match=r"no checkpoint in .* can be restored") as e:
        trainer.train_and_evaluate(tiny(keep_checkpoints=1), str(tmp_path))
    assert "\n" not in str(e.value)
    assert {p: (tmp_path / p).read_bytes() for p in before} == before
    assert sorted(os.listdir(tmp_path / "checkpoints")) == ["8"]


@pytest.mark.parametrize("call", [trainer.evaluate, trainer.load])
def test_eval_and_predict_on_a_workdir_without_a_run(tmp_path, call):
    with pytest.raises(CheckpointError, match="holds no trained run"):
        call(tiny(), str(tmp_path / "missing"))
    assert not (tmp_path / "missing").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="holds no trained run"):
        call(tiny(), str(tmp_path / "empty"))
    assert os.listdir(tmp_path / "empty") == []


def test_divergence_keeps_the_last_good_checkpoint(tmp_path):
    sgd = {"optimizer.name": "sgd", "optimizer.clip_norm": 0.0, "checkpoint_every": 2}
    trainer.train_and_evaluate(
        tiny(num_train_steps=8, **sgd, **{"optimizer.learning_rate": 0.1}), str(tmp_path)
    )
    # lr 3 climbs for several evaluations (valid 1e7, 1e16, ...: finite but diverging),
    # checkpointing all the way, before the loss overflows
    bad = tiny(num_train_steps=40, **sgd, **{"optimizer.learning_rate": 3.0})
    with pytest.raises(TrainingDivergedError, match=r"lower optimizer\.learning_rate") as e:
        trainer.train_and_evaluate(bad, str(tmp_path))
    assert "\n" not in str(e.value) and "The last good step is 8" in str(e.value)
    assert os.listdir(tmp_path / "checkpoints") == ["8"]
    assert os.listdir(tmp_path / "diverged")  # moved aside, not deleted


def test_a_finished_run_started_again_reports_without_new_rows(tmp_path, capsys):
    first = trainer.train_and_evaluate(tiny(), str(tmp_path))
    rows = records(tmp_path)
    again = trainer.train_and_evaluate(tiny(), str(tmp_path))
    assert "complete at step 12" in capsys.readouterr().out
    assert again == pytest.approx(first) and records(tmp_path) == rows


def test_early_stopped_run_started_again_is_complete(tmp_path, capsys):
    c = tiny(**{"optimizer.name": "sgd", "optimizer.learning_rate": 1e-30})
    c.early_stopping_patience = 1
    trainer.train_and_evaluate(c, str(tmp_path))
    rows = records(tmp_path)
    trainer.train_and_evaluate(c, str(tmp_path))
    assert "complete at step 8" in capsys.readouterr().out and records(tmp_path) == rows


def test_workdir_in_use_is_refused_and_a_dead_holder_taken_over(tmp_path, capsys):
    busy = pytest.raises(WorkdirInUseError, match=f"in use by pid {os.getpid()} on host")
    with WorkdirLock(str(tmp_path)), busy:
        trainer.train_and_evaluate(tiny(), str(tmp_path))
    assert not (tmp_path / "checkpoints").exists()
    (tmp_path / ".lock.0").write_text("999999 deadhost\n")  # left by a killed run
    trainer.train_and_evaluate(tiny(num_train_steps=4), str(tmp_path))
    assert "left by pid 999999 on host deadhost" in capsys.readouterr().out
    assert (tmp_path / ".lock.0").read_text() == ""  # released and emptied at the end
    trainer.train_and_evaluate(tiny(num_train_steps=4), str(tmp_path))
    assert "taking over" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "text,match",
    [
        (None, "config file 'configs/no_such.py' does not exist"),
        ("def get_config(:\n    pass\n", "line 1: invalid syntax"),
        ("import configs.default\n\ndef get_config():\n    return 1 / 0\n", "line 4 raised Zero"),
        (  # a config's own check: its message alone
            "from lstm_jax.errors import ConfigError\n\ndef get_config():\n"
            "    raise ConfigError('unknown variant x')\n",
            "error: unknown variant x; see --helpfull",
        ),
    ],
)
def test_config_file_that_does_not_load(tmp_path, text, match):
    path = "configs/no_such.py"
    if text is not None:
        path = str(tmp_path / "cfg.py")
        (tmp_path / "cfg.py").write_text(text)
    r = _main(f"--config={path}", f"--workdir={tmp_path / 'w'}")
    assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
    assert match in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "w").exists()


def test_a_checkpoint_written_before_the_policies_and_grain_still_resumes(tmp_path):
    straight = trainer.train_and_evaluate(tiny(), str(tmp_path / "a"))
    trainer.train_and_evaluate(tiny(num_train_steps=8), str(tmp_path / "b"))
    path = tmp_path / "b" / "checkpoints" / "8" / "meta" / "metadata"
    new = json.loads(path.read_text())
    best = new["policies"]["best"]["best"]
    old = {  # what the loop saved before 2026-12-06
        "data": {"step": 8},
        "best": best,
        "bad_evals": new["policies"]["early_stopping"]["bad"],
        "plateau_evals": new["policies"]["plateau"]["bad"],
        "history": new["policies"]["nt_asgd"]["history"],
    }
    path.write_text(json.dumps(old))
    assert trainer.train_and_evaluate(tiny(), str(tmp_path / "b")) == straight


def test_old_data_positions_map_to_the_same_grain_index():
    import numpy as np

    from lstm_jax.data import lm_stream
    from lstm_jax.data.batching import Pipeline
    from lstm_jax.train.trainer import _data_state

    buckets = Pipeline()
    buckets.steps_per_epoch = 13
    assert _data_state({"epoch": 2, "pos": 3}, buckets) == {"next_index": 29}
    assert _data_state({"step": 7}, buckets) == {"next_index": 7}
    data = lm_stream.LMData(
        None, {"train": np.arange(20_000, dtype=np.int32)}, {}, 0, 4, 70, True, {}, 70
    )
    data.train(seed=3)
    for g in (0, 57, 400):  # epochs of random length: the old (epoch, window) -> g
        epoch, i = data.windows._locate(g)
        pos = data.windows._epoch(epoch)[i][0]
        assert _data_state({"epoch": epoch, "pos": pos, "index": i}, data) == {"next_index": g}


def test_eval_beside_a_running_save_leaves_its_files_alone(tmp_path):
    trainer.train_and_evaluate(tiny(num_train_steps=4), str(tmp_path))
    unfinished = [
        tmp_path / "checkpoints" / "8.orbax-checkpoint-tmp",
        tmp_path / "best" / "8.orbax-checkpoint-tmp",
    ]
    for path in unfinished:  # as a run saving step 8 right now has them
        path.mkdir()
    lstm_jax.load(str(tmp_path)).evaluate("valid")
    assert all(path.is_dir() for path in unfinished)


def test_a_workdir_of_another_task_gets_none_of_its_files(tmp_path):
    from tests.tasks.test_classify import dataset
    from tests.tasks.test_classify import tiny as tiny_classify

    trainer.train_and_evaluate(tiny(num_train_steps=4), str(tmp_path / "w"))
    before = sorted(os.listdir(tmp_path / "w"))
    with pytest.raises(CheckpointError, match="holds a 'adding' run, not 'classify'"):
        trainer.train_and_evaluate(tiny_classify(dataset(tmp_path / "d")), str(tmp_path / "w"))
    assert sorted(os.listdir(tmp_path / "w")) == before
