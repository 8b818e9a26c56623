"""Orbax checkpoints: the last K, the best by the validation metric, and the data position.

``workdir/checkpoints`` keeps the last ``keep_checkpoints`` steps and ``workdir/best``
the best one. ``workdir/run.json`` fingerprints the task and every parameter shape; a
workdir whose fingerprint differs is refused before anything in it is touched.
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import orbax.checkpoint as ocp

from lstm_jax.errors import CheckpointError, ConfigError


def fingerprint(task: str, params: Any) -> dict:
    shapes = {
        jax.tree_util.keystr(path): list(x.shape)
        for path, x in jax.tree_util.tree_flatten_with_path(params)[0]
    }
    return {"task": task, "param_shapes": shapes}


def write_atomic(path: str, text: str) -> None:
    """Write-then-rename, so another process never reads half a file."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def claim_workdir(workdir: str, fp: dict) -> None:
    """Creates the workdir or checks that it belongs to this task and model shape."""
    try:
        os.makedirs(workdir, exist_ok=True)
        probe = os.path.join(workdir, f".write_test.{jax.process_index()}")
        with open(probe, "w") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as e:
        raise ConfigError(
            f"workdir {workdir!r} cannot be written ({e.strerror}); pick another"
        ) from e
    path = os.path.join(workdir, "run.json")
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        if old.get("task") != fp["task"]:
            raise CheckpointError(
                f"workdir {workdir!r} holds a {old.get('task')!r} run, not {fp['task']!r}; "
                "use a new --workdir"
            )
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
        write_atomic(path, json.dumps(fp, indent=1))


class Checkpoints:
    def __init__(self, workdir: str, keep: int, metric: str, mode: str):
        self.metric = metric
        self.last = ocp.CheckpointManager(
            os.path.join(os.path.abspath(workdir), "checkpoints"),
            options=ocp.CheckpointManagerOptions(
                max_to_keep=keep,
                create=True,
                multiprocessing_options=ocp.options.MultiprocessingOptions(
                    barrier_sync_key_prefix="last"
                ),
            ),
        )
        self.best = ocp.CheckpointManager(
            os.path.join(os.path.abspath(workdir), "best"),
            options=ocp.CheckpointManagerOptions(
                max_to_keep=1,
                best_fn=lambda m: m[metric],
                best_mode=mode,
                create=True,
                # Both managers may save the same step: keep their multi-host barriers apart.
                multiprocessing_options=ocp.options.MultiprocessingOptions(
                    barrier_sync_key_prefix="best"
                ),
            ),
        )

    @staticmethod
    def _args(state: Any, meta: dict) -> ocp.args.Composite:
        # The save finishes in the background while the loop mutates ``meta``: freeze a copy.
        meta = json.loads(json.dumps(meta))
        return ocp.args.Composite(state=ocp.args.StandardSave(state), meta=ocp.args.JsonSave(meta))

    def save(self, step: int, state: Any, meta: dict, force: bool = False) -> None:
        self.last.save(step, args=self._args(state, meta), force=force)

    def save_best(self, step: int, state: Any, meta: dict, metrics: dict) -> None:
        self.best.save(step, args=self._args(state, meta), metrics=metrics, force=True)

    def latest_step(self) -> int | None:
        return self.last.latest_step()

    def restore(self, abstract_state: Any, best: bool = False) -> tuple[Any, dict]:
        mngr = self.best if best else self.last
        step = mngr.best_step() if best else mngr.latest_step()
        if step is None:
            raise CheckpointError(
                f"no checkpoint in {mngr.directory}; train first with the same --workdir"
            )
        try:
            out = mngr.restore(
                step,
                args=ocp.args.Composite(
                    state=ocp.args.StandardRestore(abstract_state), meta=ocp.args.JsonRestore()
                ),
            )
        except (ValueError, KeyError) as e:
            raise CheckpointError(
                f"checkpoint {mngr.directory}/{step} does not fit this model "
                f"({str(e).splitlines()[0][:200]}); use the config it was trained with"
            ) from e
        return out.state, out.meta

    def wait(self) -> None:
        self.last.wait_until_finished()
        self.best.wait_until_finished()

    def close(self) -> None:
        self.last.close()
        self.best.close()
