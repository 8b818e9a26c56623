"""Runs the engine as users do, in subprocesses: kill -9 at several points (between
checkpoints, during a periodic save, during a best save) then resume, SIGTERM, the same
command started twice, and a two-process cluster on 127.0.0.1 (the multi-host path, each
process with 4 devices)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = [
    "--config=configs/adding.py",
    "--config.model.hidden_features=16",
    "--config.data.length=12",
    "--config.batch_size=16",
    "--config.eval_every=5",
    "--config.log_every=5",
    "--config.eval_batches=2",
]


def launch(workdir, *extra, devices=1, env_extra=None):
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    env.update(env_extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "lstm_jax.main", *TINY, f"--workdir={workdir}", *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc, timeout=300, returncode=0):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"timed out; stderr tail:\n{err[-3000:]}") from None
    assert proc.returncode == returncode, err[-3000:]
    return out


def final(workdir):
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        recs = [json.loads(line) for line in f]
    timing = {"wall_time", "steps_per_s", "examples_per_s", "tokens_per_s"}
    return [{k: v for k, v in r.items() if k not in timing} for r in recs]


def wait_for_checkpoint(workdir, step, proc, timeout=240):
    ckpt = os.path.join(workdir, "checkpoints")
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.isdir(ckpt) and any(p.isdigit() and int(p) >= step for p in os.listdir(ckpt)):
            return
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        time.sleep(0.05)
    raise AssertionError("no checkpoint appeared")


STEPS = ["--config.num_train_steps=40", "--config.checkpoint_every=5"]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("straight") / "w"
    finish(launch(workdir, *STEPS))
    return final(workdir)


@pytest.mark.parametrize("kill_at", ["between checkpoints", "checkpoints/20", "best/5"])
def test_kill9_then_resume_is_bit_identical(tmp_path, straight, kill_at):
    workdir = tmp_path / "killed"
    if kill_at == "between checkpoints":
        proc = launch(workdir, *STEPS)
        wait_for_checkpoint(workdir, 20, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    else:  # the hook kills the run while that save's files are half written
        proc = launch(workdir, *STEPS, env_extra={"LSTM_JAX_TEST_KILL_IN_SAVE": kill_at})
        assert proc.wait(timeout=240) == -signal.SIGKILL
        folder, step = kill_at.split("/")
        assert f"{step}.orbax-checkpoint-tmp" in os.listdir(workdir / folder)
    out = finish(launch(workdir, *STEPS))
    assert "taking over" in out  # the dead run's lock
    if kill_at != "between checkpoints":
        assert "a save a killed run left unfinished" in out
    assert final(workdir) == straight


def test_sigterm_saves_exits_143_and_resumes(tmp_path):
    proc = launch(tmp_path / "w", *STEPS)
    wait_for_checkpoint(tmp_path / "w", 10, proc)
    proc.send_signal(signal.SIGTERM)
    out = finish(proc, returncode=128 + signal.SIGTERM)
    assert out.count("SIGTERM: saved step") == 1
    saved = int(out.split("SIGTERM: saved step ")[1].split(";")[0])
    assert str(saved) in os.listdir(tmp_path / "w" / "checkpoints")
    finish(launch(tmp_path / "w", *STEPS))
    assert final(tmp_path / "w")[-1]["split"] == "baseline"


def test_the_same_command_twice_on_one_workdir(tmp_path):
    long = ["--config.num_train_steps=100000", "--config.checkpoint_every=5"]
    first = launch(tmp_path / "w", *long)
    wait_for_checkpoint(tmp_path / "w", 5, first)
    second = launch(tmp_path / "w", *long)
    _, err = second.communicate(timeout=120)
    first.send_signal(signal.SIGTERM)
    finish(first, returncode=128 + signal.SIGTERM)
    assert second.returncode == 2
    assert err.strip().splitlines()[-1].startswith("error: workdir")
    assert f"in use by pid {first.pid}" in err


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("steps", [10])
def test_two_processes_match_one(tmp_path, steps):
    common = [f"--config.num_train_steps={steps}", "--config.checkpoint_every=5"]
    finish(launch(tmp_path / "single", *common, devices=8))
    port = free_port()
    procs = [
        launch(
            tmp_path / "cluster",
            *common,
            f"--config.distributed.coordinator=127.0.0.1:{port}",
            "--config.distributed.num_processes=2",
            f"--config.distributed.process_id={i}",
            devices=4,
        )
        for i in range(2)
    ]
    for p in procs:
        finish(p, timeout=180)
    single, cluster = final(tmp_path / "single"), final(tmp_path / "cluster")
    assert [r["step"] for r in single] == [r["step"] for r in cluster]
    for a, b in zip(single, cluster, strict=True):
        for k, v in a.items():
            if isinstance(v, float):
                assert b[k] == pytest.approx(v, abs=1e-5), (k, a, b)
