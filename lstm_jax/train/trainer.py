"""One loop for every task: ``train_and_evaluate(config, workdir)``.

Jitted steps over (params, optimizer state, step) with the batch sharded across a Mesh
(``run.py``); the policies (``best_keeping``, ``early_stopping``, ``plateau``,
``nt_asgd``) called after each validation; Orbax checkpoints that carry the data position
and the policies' state, so a resumed run ends bit-identical to one that never stopped.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import jax
import ml_collections
from flax import nnx

from lstm_jax.data import batching
from lstm_jax.data.batching import Pipeline
from lstm_jax.errors import TrainingDivergedError, TrainingInterrupted
from lstm_jax.files import write_atomic
from lstm_jax.tasks.base import Task
from lstm_jax.train import optim, sharding
from lstm_jax.train.best_keeping import BestKeeping
from lstm_jax.train.checkpoint import Checkpoints
from lstm_jax.train.config_check import validate
from lstm_jax.train.early_stopping import EarlyStopping
from lstm_jax.train.metrics_log import MetricLog, Progress, TrainWindow
from lstm_jax.train.nt_asgd import NTASGD
from lstm_jax.train.plateau import Plateau
from lstm_jax.train.policy import Policy
from lstm_jax.train.run import Run, maybe_init_distributed
from lstm_jax.train.workdir import WorkdirLock, check_task, check_trained, claim_workdir

#: the keys that shape the learning-rate schedule: a change on resume is worth a warning
SCHEDULE_KEYS = (
    "num_train_steps",
    "optimizer.schedule",
    "optimizer.learning_rate",
    "optimizer.warmup_steps",
    "optimizer.decay_every",
    "optimizer.decay_start",
    "optimizer.decay_factor",
)


def make_policies(config: ml_collections.ConfigDict, task: Task) -> dict[str, Policy]:
    opt, metric, mode = config.optimizer, task.eval_metric, task.eval_mode
    return {
        "best": BestKeeping(mode),
        "early_stopping": EarlyStopping(config.early_stopping_patience, mode, metric),
        "plateau": Plateau(opt.plateau_patience, opt.decay_factor, mode, opt.schedule == "plateau"),
        "nt_asgd": NTASGD(opt.nonmono, mode, metric, opt.average == "nonmono"),
    }


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict[str, float]:
    """Trains (resuming from ``workdir``'s newest readable checkpoint) and returns test
    metrics; with ``test_checkpoint="none"`` (a search) the test split is never read and the
    run ends with an ``end`` record instead: the best validation value and its step.
    SIGTERM saves the state and raises TrainingInterrupted; a NaN or inf loss moves the
    checkpoints after the last good evaluation aside and raises TrainingDivergedError."""
    validate(config)
    maybe_init_distributed(config)  # the lock is per process
    with WorkdirLock(workdir):
        check_task(workdir, config.task)  # before the task's data writes into the workdir
        run = Run(config, workdir)
        config = run.config  # epoch-valued keys resolved against the data
        claim_workdir(workdir, run.fingerprint)
        task = run.task
        policies = make_policies(config, task)
        it = batching.iterate(run.data.train(config.seed))
        with Checkpoints(workdir, config.keep_checkpoints, task.eval_metric, task.eval_mode) as ck:
            step = _resume(run, ck, it, policies)
            ended = step >= config.num_train_steps or any(p.stop for p in policies.values())
            final = "end" if config.test_checkpoint == "none" else "test"
            done = _logged(workdir, step, final) if ended else None
            if done is not None:
                print(f"the run in {workdir} is complete at step {step}; its {final} result:")
                print(_describe(task, done, config, final), flush=True)
                return done
            _truncate_log(workdir, step)
            if jax.process_index() == 0:
                write_atomic(f"{workdir}/config.json", config.to_json_best_effort(indent=1))
            with MetricLog(workdir, config.to_dict()) as log:
                try:
                    if not ended:  # (ended without a test: a crash in it; test again)
                        step = _train(run, it, policies, ck, log, step)
                except TrainingDivergedError as e:
                    good = policies["best"].good_step
                    moved = ck.roll_back(good)
                    raise TrainingDivergedError(
                        f"{e}; lower optimizer.learning_rate or set optimizer.clip_norm. "
                        f"The last good step is {good} (finite validation, no worse than the "
                        f"first); {len(moved)} later checkpoint(s) moved to {workdir}/diverged"
                    ) from None
                ck.wait()
                if final == "end":  # a search selects on validation: test stays unread
                    best = policies["best"]
                    test = {task.eval_metric: best.best, "best_step": best.best_step}
                else:
                    weights = (
                        run.state
                        if config.test_checkpoint == "last"
                        else ck.restore_best(run.abstract_state())[0]
                    )
                    test = run.evaluate(optim.eval_params(weights), "test")
                log.write(step, final, test)
                if final == "test" and (base := task.baseline(config)):
                    log.write(step, "baseline", base)
        if jax.process_index() == 0:
            print(_describe(task, test, config, final), flush=True)
        return test


def _describe(task: Task, metrics: dict[str, float], config, final: str) -> str:
    if final == "test":
        return task.describe(metrics, config, "test")
    return (
        f"best valid {task.eval_metric} {metrics[task.eval_metric]:.6g} at step "
        f"{metrics['best_step']:.0f} (test_checkpoint=none: the test split was not read)"
    )


def _train(run: Run, it, policies: dict[str, Policy], ck: Checkpoints, log, step: int) -> int:
    """Steps until ``num_train_steps``, a policy's stop or SIGTERM; returns the last step."""
    config, task = run.config, run.task
    every = lambda k: step % k == 0 or step == config.num_train_steps
    controls = lambda: {k: v for p in policies.values() for k, v in p.controls().items()}
    states = lambda: {name: p.state_dict() for name, p in policies.items()}
    meta = lambda: {"data": it.get_state(), "policies": states()}
    progress = Progress(config.num_train_steps, step, config.progress_seconds)
    window, sigterm = TrainWindow(), []
    old_handler = signal.signal(signal.SIGTERM, lambda *_: sigterm.append(True))
    try:
        while step < config.num_train_steps:
            raw = next(it)
            run.state, metrics = run.train_step(
                run.state, sharding.shard_batch(raw, run.mesh), controls()
            )
            step += 1
            window.add(step, metrics, task.num_tokens(raw))
            if progress.bar is not None:
                progress.update(step, window.sync(), task.num_tokens(raw))
            elif progress.due() and not every(config.log_every):
                progress.heartbeat(step, window.sync())
            if every(config.log_every):
                train = window.summary(config.batch_size)
                train["learning_rate"] = optim.current_lr(run.state["opt_state"])
                log.write(step, "train", train)
                progress.log(step, train, "train")
            if every(config.eval_every):
                window.sync()  # never evaluate or save after a NaN
                ev = run.evaluate(optim.eval_params(run.state), "valid")
                log.write(step, "valid", ev)
                progress.log(step, ev, "valid")
                for p in policies.values():
                    p.on_eval(step, ev[task.eval_metric])
                if policies["best"].improved:
                    ck.save_best(step, run.state, meta(), {task.eval_metric: ev[task.eval_metric]})
            stop = any(p.stop for p in policies.values())
            if every(config.checkpoint_every) or stop or sigterm:
                window.sync()
                ck.save(step, run.state, meta(), policies["best"].good_step)
            if stop:
                break
            if sigterm:
                ck.wait()
                raise TrainingInterrupted(
                    f"SIGTERM: saved step {step}; run the same command to resume"
                )
        return step
    finally:
        signal.signal(signal.SIGTERM, old_handler)
        progress.close()


def _resume(run: Run, ck: Checkpoints, it, policies: dict[str, Policy]) -> int:
    """Restores the newest readable checkpoint, if any, into the run, the data iterator and
    the policies, and says so; returns the step to continue from."""
    restored = ck.restore_latest(run.abstract_state())
    if restored is None:
        return 0
    run.state, meta = restored
    it.set_state(_data_state(meta["data"], run.data))
    for name, state in _policy_states(meta, run.state).items():
        policies[name].load_state_dict(state)
    step, config = int(run.state["step"]), run.config
    if jax.process_index() == 0:
        print(f"resumed from step {step} of {config.num_train_steps} ({run.workdir})")
        path = os.path.join(run.workdir, "config.json")
        old = json.loads(Path(path).read_text()) if os.path.exists(path) else {}
        new = config.to_dict()
        for key in SCHEDULE_KEYS:
            before, now = _dotted(old, key), _dotted(new, key)
            if key == "num_train_steps" and config.optimizer.schedule != "cosine":
                continue  # only the cosine schedule depends on the run's length
            if before is not None and before != now:
                print(
                    f"warning: {key} changed since the checkpoint ({before} -> {now}); the "
                    f"learning-rate schedule follows the new value from step {step}",
                    flush=True,
                )
    return step


def _dotted(d: dict, key: str):
    for part in key.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    return d


def _policy_states(meta: dict, state: dict) -> dict[str, dict]:
    """The policies' saved state; from the loop's own fields in checkpoints written before
    the policies were objects (2026-12-06), so those runs still resume."""
    if "policies" in meta:
        return meta["policies"]
    h = optim.hyperparams(state["opt_state"])
    best, bad = meta["best"], meta["bad_evals"]
    return {
        "best": {"best": best, "best_step": 0, "first": best, "good_step": 0},
        "early_stopping": {"best": best, "bad": bad},
        "plateau": {"best": best, "bad": meta["plateau_evals"], "scale": float(h["lr_scale"])},
        "nt_asgd": {"history": meta["history"], "on": float(h["average"]) > 0},
    }


def _data_state(state: dict, data: Pipeline) -> dict:
    """grain's iterator state; from the (epoch, position) of checkpoints written before the
    pipelines were on grain (2026-12-06), so those runs still resume."""
    if "next_index" in state:
        return state
    if "step" in state:  # the generated tasks
        return {"next_index": int(state["step"])}
    within = int(state.get("index", state["pos"]))  # LM windows: "index"; buckets: "pos"
    return {"next_index": data.epoch_start(int(state["epoch"])) + within}


def _logged(workdir: str, step: int, split: str) -> dict[str, float] | None:
    """The ``split`` record (test, or end) a finished run logged at ``step``, if it did."""
    path = os.path.join(workdir, "metrics.jsonl")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    skip = ("step", "split", "wall_time")
    tests = [r for r in rows if r["split"] == split and r["step"] == step]
    return {k: v for k, v in tests[-1].items() if k not in skip} if tests else None


def _truncate_log(workdir: str, step: int) -> None:
    """Drops records past the restored step, so a resumed log reads like an unbroken one."""
    path = os.path.join(workdir, "metrics.jsonl")
    if jax.process_index() or not os.path.exists(path):
        return
    with open(path) as f:
        keep = [line for line in f if json.loads(line)["step"] <= step]
    write_atomic(path, "".join(keep))


def restore_best(config: ml_collections.ConfigDict, workdir: str) -> tuple[Run, Any]:
    """The run built from ``config`` and the best checkpoint's state from ``workdir``."""
    check_trained(workdir)  # before anything is built: nothing is created in a bad workdir
    validate(config)
    check_task(workdir, config.task)
    run = Run(config, workdir)
    claim_workdir(workdir, run.fingerprint)
    task = run.task
    with Checkpoints(workdir, 1, task.eval_metric, task.eval_mode, read_only=True) as ck:
        state, _ = ck.restore_best(run.abstract_state())
    return run, state


def evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict[str, dict[str, float]]:
    """Evaluates the best checkpoint in ``workdir`` on the valid and test splits."""
    run, state = restore_best(config, workdir)
    out = {s: run.evaluate(optim.eval_params(state), s) for s in ("valid", "test")}
    for split, metrics in out.items():
        print(run.task.describe(metrics, config, split), flush=True)
    return out


def load(config: ml_collections.ConfigDict, workdir: str) -> tuple[Task, nnx.Module]:
    """The task (set up from ``workdir``) and its best model in eval mode: for notebooks
    and analysis scripts."""
    run, state = restore_best(config, workdir)
    return run.task, run.model(optim.eval_params(state), None)


def predict(config: ml_collections.ConfigDict, workdir: str, inputs: list[str]) -> list[str]:
    """Runs the task's own prediction (generate, classify, ...) with the best checkpoint."""
    task, model = load(config, workdir)
    lines = task.predict(model, config, inputs)
    for line in lines:
        print(line, flush=True)
    return lines
