"""The engine's test ladder: one step changes every parameter, tiny runs, exact resume,
1 vs 8 devices, early stopping, and every config error (faults: test_faults.py)."""

import json
import os
import subprocess
import sys

import jax
import numpy as np
import pytest

import lstm_jax
from configs import adding, copy, default
from lstm_jax.errors import CheckpointError, ConfigError
from lstm_jax.train import trainer
from lstm_jax.train.run import Run

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tiny(kind="adding", **overrides):
    c = (adding if kind == "adding" else copy).get_config()
    c.model.hidden_features = 16
    c.data.length = 12
    c.batch_size = 16
    c.num_train_steps = 12
    c.eval_every = 4
    c.checkpoint_every = 4
    c.log_every = 4
    c.eval_batches = 2
    c.update_from_flattened_dict(overrides)
    return c


def records(workdir, split=None):
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        out = [json.loads(line) for line in f]
    return [r for r in out if split is None or r["split"] == split]


@pytest.mark.parametrize("task", ["adding", "copy"])
def test_one_step_changes_every_parameter(task):
    run = Run(tiny(task), "/unused")
    before = jax.tree.map(np.array, run.state["params"])
    batch = trainer.sharding.shard_batch(run.data.train(0)[0], run.mesh)
    controls = {"lr_scale": np.float32(1), "average": np.float32(0)}
    run.state, metrics = run.train_step(run.state, batch, controls)
    after = run.state["params"]
    for (path, a), b in zip(
        jax.tree_util.tree_flatten_with_path(before)[0], jax.tree.leaves(after), strict=True
    ):
        assert not np.array_equal(a, np.asarray(b)), f"{jax.tree_util.keystr(path)} unchanged"
    assert np.isfinite(float(metrics["loss"]))


@pytest.mark.parametrize("task", ["adding", "copy"])
def test_tiny_end_to_end(task, tmp_path):
    out = trainer.train_and_evaluate(tiny(task), str(tmp_path))
    assert set(out) >= ({"mse"} if task == "adding" else {"loss", "recall_accuracy"})
    assert [r["step"] for r in records(tmp_path, "valid")] == [4, 8, 12]
    assert records(tmp_path, "test") and records(tmp_path, "baseline")
    assert (tmp_path / "config.json").exists() and (tmp_path / "run.json").exists()
    assert any((tmp_path / "tensorboard").iterdir())
    ev = trainer.evaluate(tiny(task), str(tmp_path))
    assert ev["test"] == pytest.approx(out)
    assert len(trainer.predict(tiny(task), str(tmp_path), [])) == 5
    trained = lstm_jax.load(str(tmp_path))
    assert len(trained.predict([])) == 5 and trained.evaluate("test") == pytest.approx(out)


def test_bfloat16_run_keeps_float32_state(tmp_path):
    """Mixed precision through the engine: bfloat16 matmuls, float32 parameters and
    optimizer state in the checkpoint, and a loss as low as float32's."""
    runs = {}
    for dtype in ("float32", "bfloat16"):
        c = tiny(dtype=dtype, num_train_steps=60, eval_every=20, checkpoint_every=20)
        runs[dtype] = trainer.train_and_evaluate(c, str(tmp_path / dtype))
    assert runs["bfloat16"]["mse"] != runs["float32"]["mse"]
    assert (
        runs["bfloat16"]["mse"] < 0.1
        and abs(runs["bfloat16"]["mse"] - runs["float32"]["mse"]) < 0.02
    )
    state = lstm_jax.load(str(tmp_path / "bfloat16")).state
    floats = [x for x in jax.tree.leaves(state) if np.issubdtype(np.asarray(x).dtype, np.floating)]
    assert floats and all(np.asarray(x).dtype == np.float32 for x in floats)


def test_resume_continues_exactly(tmp_path):
    straight = trainer.train_and_evaluate(tiny(num_train_steps=12), str(tmp_path / "a"))
    trainer.train_and_evaluate(tiny(num_train_steps=8), str(tmp_path / "b"))
    resumed = trainer.train_and_evaluate(tiny(num_train_steps=12), str(tmp_path / "b"))
    assert resumed == straight
    timing = {"wall_time", "steps_per_s", "examples_per_s"}
    strip = lambda rs: [{k: v for k, v in r.items() if k not in timing} for r in rs]
    assert strip(records(tmp_path / "a", "valid")) == strip(records(tmp_path / "b", "valid"))


def test_one_vs_eight_devices(tmp_path):
    assert jax.device_count() == 8
    one = trainer.train_and_evaluate(tiny(**{"mesh.num_devices": 1}), str(tmp_path / "1"))
    eight = trainer.train_and_evaluate(tiny(**{"mesh.num_devices": 8}), str(tmp_path / "8"))
    for k in one:
        assert eight[k] == pytest.approx(one[k], abs=1e-5)


def test_early_stopping_fires(tmp_path, capsys):
    c = tiny(**{"optimizer.name": "sgd", "optimizer.learning_rate": 1e-30})
    c.early_stopping_patience = 1
    trainer.train_and_evaluate(c, str(tmp_path))
    assert "early stopping at step 8" in capsys.readouterr().out
    assert [r["step"] for r in records(tmp_path, "valid")] == [4, 8]


def test_test_checkpoint_last_reports_the_final_weights(tmp_path):
    # SGD at a rate this high makes validation bounce, so the best and last steps differ
    bounce = {"optimizer.name": "sgd", "optimizer.learning_rate": 2.0, "eval_every": 4}
    best = trainer.train_and_evaluate(tiny(**bounce), str(tmp_path / "best"))
    last = trainer.train_and_evaluate(
        tiny(**bounce, test_checkpoint="last"), str(tmp_path / "last")
    )
    # one evaluation only, at the end: the best checkpoint is the final weights
    final = trainer.train_and_evaluate(tiny(**{**bounce, "eval_every": 12}), str(tmp_path / "f"))
    assert last == final
    valid = [r["mse"] for r in records(tmp_path / "best", "valid")]
    assert min(valid) < valid[-1], valid  # the run this test needs: best is not last
    assert best != last


def test_test_checkpoint_none_never_evaluates_test(tmp_path, monkeypatch, capsys):
    splits = []
    evaluate = Run.evaluate
    spy = lambda self, params, split: splits.append(split) or evaluate(self, params, split)
    monkeypatch.setattr(Run, "evaluate", spy)
    out = trainer.train_and_evaluate(tiny(test_checkpoint="none"), str(tmp_path))
    assert set(splits) == {"valid"}
    valid = [r["mse"] for r in records(tmp_path, "valid")]
    assert out["mse"] == min(valid) and records(tmp_path, "end")[0]["mse"] == min(valid)
    assert not records(tmp_path, "test")
    again = trainer.train_and_evaluate(tiny(test_checkpoint="none"), str(tmp_path))
    assert again == out and "complete at step 12; its end result" in capsys.readouterr().out


def test_schedules_and_accumulation_run(tmp_path):
    for i, (sched, extra) in enumerate(
        [
            ("step", {"optimizer.decay_every": 4}),
            ("cosine", {"optimizer.warmup_steps": 2}),
            ("plateau", {"optimizer.plateau_patience": 1}),
        ]
    ):
        c = tiny(**{"optimizer.schedule": sched, "optimizer.accumulate_steps": 2, **extra})
        out = trainer.train_and_evaluate(c, str(tmp_path / str(i)))
        assert np.isfinite(out["mse"])
    lrs = [r["learning_rate"] for r in records(tmp_path / "0", "train")]
    assert lrs[0] > lrs[-1]


@pytest.mark.parametrize(
    "override,error,match",
    [
        ({"task": "addng"}, ConfigError, "did you mean 'adding'"),
        ({"optimizer.name": "rmsprop"}, ConfigError, "unknown optimizer.name"),
        ({"test_checkpoint": "final"}, ConfigError, "unknown test_checkpoint"),
        ({"dtype": "float16"}, ConfigError, "unknown dtype 'float16'; choose one of"),
        ({"batch_size": 0}, ConfigError, "batch_size must be a positive int"),
        ({"model.hidden_features": -3}, ConfigError, "hidden_features must be a positive int"),
        ({"optimizer.learning_rate": 0.0}, ConfigError, "learning_rate must be > 0"),
        ({"model.cell": "transformer"}, ConfigError, "unknown model.cell"),
        ({"batch_size": 12}, ConfigError, "does not split over 8 devices"),
    ],
)
def test_config_errors(override, error, match, tmp_path):
    with pytest.raises(error, match=match) as e:
        trainer.train_and_evaluate(tiny(**override), str(tmp_path))
    assert "\n" not in str(e.value)


def test_workdir_of_another_task_or_shape_is_refused(tmp_path):
    trainer.train_and_evaluate(tiny(num_train_steps=4), str(tmp_path))
    before = sorted(os.listdir(tmp_path / "checkpoints"))
    with pytest.raises(CheckpointError, match="holds a 'adding' run, not 'copy'"):
        trainer.train_and_evaluate(tiny("copy"), str(tmp_path))
    with pytest.raises(CheckpointError, match="model of another shape"):
        trainer.train_and_evaluate(tiny(**{"model.hidden_features": 8}), str(tmp_path))
    assert sorted(os.listdir(tmp_path / "checkpoints")) == before


def test_unwritable_workdir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot be written"):
        trainer.train_and_evaluate(tiny(), str(blocker / "sub"))


def _main(*args, **kw):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=1")
    return subprocess.run(
        [sys.executable, "-m", "lstm_jax.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


@pytest.mark.parametrize(
    "flag,match",
    [
        ("--config.model.hiden_features=3", "hiden_features"),
        ("--config.batch_size=abc", "batch_size"),
        ("--config.optimizer.learning_rate=-1", "learning_rate must be > 0"),
    ],
)
def test_main_reports_config_mistakes_in_one_line(flag, match, tmp_path):
    r = _main("--config=configs/adding.py", f"--workdir={tmp_path}", flag)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    assert match in r.stderr


def test_default_config_has_every_key():
    keys = set(default.get_config().to_dict())
    assert keys >= {"task", "model", "optimizer", "mesh", "distributed", "data"}
