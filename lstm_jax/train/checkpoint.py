"""Orbax checkpoints: the last K, the best by the validation metric, and the loop's state.

``workdir/checkpoints`` keeps the last ``keep_checkpoints`` steps and ``workdir/best``
the best one. Each holds the train state and ``meta`` (the data position and the
policies' state), so the same command resumes with the very next batch. A step that
cannot be read is moved to ``workdir/corrupt`` and the newest readable one is used; what a
killed save left half-written is removed when the next run starts. Each says so in a line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from typing import Any

import jax
import orbax.checkpoint as ocp

from lstm_jax.errors import CheckpointError

TMP_MARK = ".orbax-checkpoint-tmp"
#: test hook, "checkpoints/STEP" or "best/STEP": SIGKILL this process while that save is
#: in flight (its temporary directory written, not yet committed)
KILL_IN_SAVE = "LSTM_JAX_TEST_KILL_IN_SAVE"


class KeepLatestAndGood(ocp.checkpoint_managers.PreservationPolicy):
    """Orbax keeps the newest ``n`` steps and, beyond them, the newest step at or before
    ``good``: the last step a diverging run can be rolled back to."""

    def __init__(self, n: int):
        self.n, self.good = n, 0

    def should_preserve(self, checkpoints, *, context) -> list[bool]:
        steps = [c.step for c in checkpoints]
        good = max((s for s in steps if s <= self.good), default=None)
        return [i >= len(steps) - self.n or s == good for i, s in enumerate(steps)]


def _manager(root: str, prefix: str, read_only: bool, **options) -> ocp.CheckpointManager:
    if read_only:  # eval, predict, load: never touch a workdir a run may be saving into
        options = {k: v for k, v in options.items() if k in ("best_fn", "best_mode")}
        options.update(read_only=True, create=False, save_interval_steps=0)
    else:
        options.update(create=True, cleanup_tmp_directories=True)
        if jax.process_index() == 0 and os.path.isdir(root):
            for name in sorted(os.listdir(root)):
                if TMP_MARK in name:  # orbax removes it (cleanup_tmp_directories)
                    print(
                        f"removing {os.path.join(root, name)}: a save a killed run left unfinished"
                    )
    return ocp.CheckpointManager(
        root,
        options=ocp.CheckpointManagerOptions(
            # Both managers may save the same step: keep their multi-host barriers apart.
            multiprocessing_options=ocp.options.MultiprocessingOptions(
                barrier_sync_key_prefix=prefix
            ),
            **options,
        ),
    )


class Checkpoints:
    def __init__(self, workdir: str, keep: int, metric: str, mode: str, read_only: bool = False):
        self.workdir = os.path.abspath(workdir)
        root = lambda name: os.path.join(self.workdir, name)
        self.keep = KeepLatestAndGood(keep)
        self.last = _manager(root("checkpoints"), "last", read_only, preservation_policy=self.keep)
        self.best = _manager(
            root("best"),
            "best",
            read_only,
            max_to_keep=1,
            best_fn=lambda m: m[metric],
            best_mode=mode,
        )

    def __enter__(self) -> Checkpoints:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @staticmethod
    def _args(state: Any, meta: dict) -> ocp.args.Composite:
        # The save finishes in the background while the loop goes on: freeze a copy of meta.
        meta = json.loads(json.dumps(meta))
        return ocp.args.Composite(state=ocp.args.StandardSave(state), meta=ocp.args.JsonSave(meta))

    def _saved(self, which: str, step: int) -> None:
        if os.environ.get(KILL_IN_SAVE) == f"{which}/{step}":
            os.kill(os.getpid(), signal.SIGKILL)

    def save(self, step: int, state: Any, meta: dict, good_step: int) -> None:
        self.keep.good = good_step
        if step not in self.last.all_steps():  # SIGTERM right after a periodic save
            self.last.save(step, args=self._args(state, meta), force=True)
            self._saved("checkpoints", step)

    def save_best(self, step: int, state: Any, meta: dict, metrics: dict) -> None:
        self.best.save(step, args=self._args(state, meta), metrics=metrics, force=True)
        self._saved("best", step)

    def _restore(self, mngr: ocp.CheckpointManager, step: int, abstract_state: Any):
        out = mngr.restore(
            step,
            args=ocp.args.Composite(
                state=ocp.args.StandardRestore(abstract_state), meta=ocp.args.JsonRestore()
            ),
        )
        return out.state, out.meta

    def restore_latest(self, abstract_state: Any) -> tuple[Any, dict] | None:
        """The newest readable step of ``checkpoints/`` (None if there is none). Newer steps
        that cannot be read are moved to ``workdir/corrupt``, each named in a line; if no
        step can be read, nothing is moved and the error says why."""
        steps = sorted(self.last.all_steps(), reverse=True)
        errors = []
        for step in steps:
            try:
                out = self._restore(self.last, step, abstract_state)
            except Exception as e:  # orbax raises many types for damaged files
                errors.append((step, f"{type(e).__name__}: {str(e).splitlines()[0][:150]}"))
                continue
            for bad, why in errors:
                self._move_aside(self.last, bad, "corrupt", f"cannot be read ({why})")
            if errors:
                print(f"resuming from step {step}, the newest checkpoint that can be read")
            self._forget_best_after(step)
            return out
        if errors:
            raise CheckpointError(
                f"no checkpoint in {self.last.directory} can be restored into this run (step "
                f"{errors[0][0]}: {errors[0][1]}); a changed optimizer or model cannot resume: "
                "use the config it was trained with, or a new --workdir"
            )
        self._forget_best_after(0)
        return None

    def _forget_best_after(self, step: int) -> None:
        """Best steps a killed run saved after ``step``: the resumed run saves them again."""
        for s in self.best.all_steps():
            if s > step:
                self.best.delete(s)

    def restore_best(self, abstract_state: Any) -> tuple[Any, dict]:
        step = self.best.best_step()
        if step is None:
            raise CheckpointError(
                f"no checkpoint in {self.best.directory}; train first with the same --workdir"
            )
        try:
            return self._restore(self.best, step, abstract_state)
        except Exception as e:
            raise CheckpointError(
                f"checkpoint {self.best.directory}/{step} cannot be restored "
                f"({type(e).__name__}: {str(e).splitlines()[0][:200]}); use the config it "
                "was trained with"
            ) from None

    def roll_back(self, good_step: int) -> list[int]:
        """Moves the steps of ``checkpoints/`` after ``good_step`` to ``workdir/diverged``."""
        self.wait()
        moved = [s for s in self.last.all_steps() if s > good_step]
        for step in moved:
            self._move_aside(self.last, step, "diverged", "was saved after the last good step")
        return moved

    def _move_aside(self, mngr: ocp.CheckpointManager, step: int, folder: str, why: str):
        if jax.process_index() == 0:
            src = os.path.join(str(mngr.directory), str(step))
            dst = os.path.join(self.workdir, folder, f"{os.path.basename(mngr.directory)}-{step}")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.rmtree(dst, ignore_errors=True)
            os.replace(src, dst)
            print(f"checkpoint step {step} {why}: moved to {dst}", flush=True)
        if jax.process_count() > 1:  # every process lists the steps after the move
            ocp.multihost.sync_global_processes(f"lstm_jax_move_aside_{folder}_{step}")
        mngr.reload()

    def wait(self) -> None:
        self.last.wait_until_finished()
        self.best.wait_until_finished()

    def close(self) -> None:
        self.wait()
        self.last.close()
        self.best.close()
