"""The workdir: who owns it (a lock), what run it holds (``run.json``), atomic writes.

``workdir/run.json`` fingerprints the task and every parameter shape; a workdir whose
fingerprint differs is refused before anything in it is touched. ``workdir/.lock.<process>``
is held with an OS lock for the whole run, so a second run on the same workdir stops at
once instead of interleaving checkpoints; the OS releases it when its holder dies.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from typing import Any

import jax

from lstm_jax.errors import CheckpointError, ConfigError, WorkdirInUseError
from lstm_jax.files import write_atomic


def fingerprint(task: str, params: Any) -> dict:
    shapes = {
        jax.tree_util.keystr(path): list(x.shape)
        for path, x in jax.tree_util.tree_flatten_with_path(params)[0]
    }
    return {"task": task, "param_shapes": shapes}


class WorkdirLock:
    """An exclusive ``flock`` on ``workdir/.lock.<process index>`` while the run lives.

    The file says who holds it ("pid host") and is emptied when the run ends; a file still
    naming a holder but no longer locked was left by a killed run, and is taken over with
    one line.
    """

    def __init__(self, workdir: str):
        self.workdir = workdir
        self.path = os.path.join(workdir, f".lock.{jax.process_index()}")
        self.fd: int | None = None

    def __enter__(self) -> WorkdirLock:
        try:
            os.makedirs(self.workdir, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise ConfigError(
                f"workdir {self.workdir!r} cannot be written ({e.strerror}); pick another"
            ) from None
        holder = os.read(fd, 200).decode(errors="replace").split()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            pid, host = [*holder, "?", "?"][:2]
            raise WorkdirInUseError(
                f"workdir {self.workdir!r} is in use by pid {pid} on host {host} (lock "
                f"{self.path}); wait for that run to end, stop it, or use another --workdir"
            ) from None
        if len(holder) == 2:
            print(
                f"taking over {self.path}, left by pid {holder[0]} on host {holder[1]}, "
                "which is no longer running",
                flush=True,
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            # Emptied, not deleted: a run waiting on this file would otherwise lock a file
            # no longer in the folder while a third run creates and locks a new one.
            os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


def _recorded(workdir: str) -> dict | None:
    path = os.path.join(workdir, "run.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def check_task(workdir: str, task: str) -> None:
    """Refuses a workdir of another task, before the data is read (a task's data writes its
    vocabulary and split into the workdir)."""
    old = _recorded(workdir)
    if old is not None and old.get("task") != task:
        raise CheckpointError(
            f"workdir {workdir!r} holds a {old.get('task')!r} run, not {task!r}; "
            "use a new --workdir"
        )


def claim_workdir(workdir: str, fp: dict) -> None:
    """Checks that the workdir belongs to this task and model shape, or claims it."""
    check_task(workdir, fp["task"])
    old = _recorded(workdir)
    if old is not None:
        if old.get("param_shapes") != fp["param_shapes"]:
            diff = next(
                k
                for k in {**old["param_shapes"], **fp["param_shapes"]}
                if old["param_shapes"].get(k) != fp["param_shapes"].get(k)
            )
            raise CheckpointError(
                f"workdir {workdir!r} holds a model of another shape ({diff}: "
                f"{old['param_shapes'].get(diff)} there, {fp['param_shapes'].get(diff)} now); "
                "use a new --workdir or the old model config"
            )
    elif jax.process_index() == 0:
        write_atomic(os.path.join(workdir, "run.json"), json.dumps(fp, indent=1))


def check_trained(workdir: str) -> None:
    """For eval and predict: a one-line error, and nothing created, unless ``workdir``
    holds a trained run."""
    best = os.path.join(workdir, "best")
    if not os.path.isfile(os.path.join(workdir, "run.json")) or not (
        os.path.isdir(best) and any(p.isdigit() for p in os.listdir(best))
    ):
        raise CheckpointError(
            f"workdir {workdir!r} holds no trained run (no run.json or best checkpoint); "
            "train first with the same --workdir and --mode=train"
        )
