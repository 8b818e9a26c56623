"""One loop for every task: ``train_and_evaluate(config, workdir)``.

Pure jitted steps over (params, optimizer state, step) with the batch sharded across a
Mesh; Orbax checkpoints that carry the data position, so a resumed run continues with
the very next batch and ends bit-identical to one that never stopped.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import nnx

from lstm_jax.errors import TrainingDivergedError
from lstm_jax.tasks import get_task
from lstm_jax.tasks.base import Task
from lstm_jax.train import checkpoint, optim, sharding
from lstm_jax.train.config_check import validate
from lstm_jax.train.metrics_log import MetricLog, Progress


class _Run:
    """Everything built from a config: task, mesh, model pieces, optimizer, jitted steps."""

    def __init__(self, config: ml_collections.ConfigDict, workdir: str):
        validate(config)
        _maybe_init_distributed(config)
        self.config, self.workdir = config, workdir
        self.task: Task = get_task(config.task)
        self.task.setup(config, workdir)  # data-dependent sizes (a vocabulary) come first
        validate(config)  # again: epoch-valued keys now follow the data's steps_per_epoch
        self.mesh = sharding.make_mesh(config.mesh.num_devices)
        sharding.check_batch_size(config.batch_size, self.mesh)
        model = self.task.make_model(config, nnx.Rngs(params=config.seed, dropout=config.seed + 1))
        self.graphdef, params, self.rest = nnx.split(model, nnx.Param, ...)
        self.tx = optim.make_optimizer(config.optimizer, config.num_train_steps)
        state = {
            "params": params,
            "opt_state": self.tx.init(params),
            "step": jnp.zeros((), jnp.int32),
        }
        self.state = jax.device_put(state, sharding.replicated(self.mesh))
        carry = self.task.init_carry(config, config.batch_size)  # e.g. an LM's state
        self.state["carry"] = sharding.shard_batch(carry, self.mesh)
        self.fingerprint = checkpoint.fingerprint(config.task, params)
        self._eval_data: dict[str, list] = {}
        self.train_step = jax.jit(self._train_step, donate_argnums=0)
        self.eval_step = jax.jit(self._eval_step)

    def model(self, params: Any, step: jax.Array | None) -> nnx.Module:
        rest = self.rest
        if step is not None:  # dropout masks depend only on (seed, step): exact resume
            rest = self._reseeded(jax.random.fold_in(jax.random.key(self.config.seed), step))
        model = nnx.merge(self.graphdef, params, rest)
        if step is None:
            model.eval()
        return model

    def _reseeded(self, base: jax.Array) -> Any:
        """The RNG streams' state with stream i keyed fold_in(base, i) and its count at 0:
        a fresh, distinct key for every dropout site at every step."""
        leaves, treedef = jax.tree.flatten(self.rest)
        out, i = [], 0
        for x in leaves:
            if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
                out.append(jax.random.fold_in(base, i))
                i += 1
            else:  # the stream's counter
                out.append(jnp.zeros_like(x))
        return jax.tree.unflatten(treedef, out)

    def _train_step(self, state, batch):
        def loss_fn(params):
            return self.task.loss(self.model(params, state["step"]), batch, state["carry"])

        (loss, (metrics, carry)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        opt_state = state["opt_state"]
        if "update_scale" in batch:
            opt_state = optim.with_step_scale(opt_state, jnp.mean(batch["update_scale"]))
        updates, opt_state = self.tx.update(grads, opt_state, state["params"])
        params = optax.apply_updates(state["params"], updates)
        metrics = {k: v for k, v in metrics.items() if k != "weight" and jnp.ndim(v) == 0}
        metrics.update(loss=loss, grad_norm=optax.tree.norm(grads))
        new = {"params": params, "opt_state": opt_state, "step": state["step"] + 1}
        return dict(new, carry=carry), metrics

    def _eval_step(self, params, batch, carry):
        return self.task.loss(self.model(params, None), batch, carry)[1]

    def evaluate(self, params: Any, split: str) -> dict[str, float]:
        """Metrics over the whole split, weighted by each batch's ``weight`` (default 1),
        with the task's carry (an LM's state) passed from batch to batch."""
        if split not in self._eval_data:  # built once, not at every evaluation
            self._eval_data[split] = self.task.eval_batches(self.config, split)
        batches = self._eval_data[split]
        rows = len(next(iter(jax.tree.leaves(batches[0]))))
        carry = sharding.shard_batch(self.task.init_carry(self.config, rows), self.mesh)
        sums: dict[str, float] = {}
        total = 0.0
        for batch in batches:
            metrics, carry = self.eval_step(params, sharding.shard_batch(batch, self.mesh), carry)
            w = float(metrics.pop("weight", 1.0))
            total += w
            for k, v in metrics.items():  # a metric may be an array (a confusion matrix)
                sums[k] = sums.get(k, 0.0) + w * np.asarray(v, np.float64)
        means = {k: v / total for k, v in sums.items()}
        means.update(self.task.corpus_metrics(self.model(params, None), self.config, split))
        return self.task.summarize(means, self.config, split)

    def abstract_state(self) -> Any:
        return jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), self.state
        )


def _maybe_init_distributed(config: ml_collections.ConfigDict) -> None:
    d = config.distributed
    if d.coordinator and not jax.distributed.is_initialized():
        jax.distributed.initialize(d.coordinator, d.num_processes, d.process_id)


def _truncate_log(workdir: str, step: int) -> None:
    """Drops records past the restored step, so a resumed log reads like an unbroken one."""
    path = os.path.join(workdir, "metrics.jsonl")
    if jax.process_index() or not os.path.exists(path):
        return
    with open(path) as f:
        keep = [line for line in f if json.loads(line)["step"] <= step]
    with open(path, "w") as f:
        f.writelines(keep)


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict[str, float]:
    """Trains (resuming from ``workdir`` if it holds a checkpoint) and returns test metrics."""
    run = _Run(config, workdir)
    checkpoint.claim_workdir(workdir, run.fingerprint)
    if jax.process_index() == 0:
        checkpoint.write_atomic(
            os.path.join(workdir, "config.json"), config.to_json_best_effort(indent=1)
        )
    task, mode = run.task, run.task.eval_metric
    better = (lambda a, b: a < b) if task.eval_mode == "min" else (lambda a, b: a > b)
    ckpts = checkpoint.Checkpoints(workdir, config.keep_checkpoints, mode, task.eval_mode)
    it = task.train_iter(config, config.seed)
    meta = {
        "data": it.get_state(),
        "best": None,
        "bad_evals": 0,
        "plateau_evals": 0,
        "history": [],
    }
    if ckpts.latest_step() is not None:
        run.state, meta = ckpts.restore(run.abstract_state())
        it.set_state(meta["data"])
        _truncate_log(workdir, int(run.state["step"]))
    log = MetricLog(workdir, config.to_dict())
    step = int(run.state["step"])
    progress = Progress(config.num_train_steps, step, config.log_every)
    stop_signal = []
    old_handler = signal.signal(signal.SIGTERM, lambda *_: stop_signal.append(True))
    window: list[dict] = []
    pending: list[tuple[int, dict]] = []
    boundaries = (config.log_every, config.eval_every, config.checkpoint_every)
    t_window, window_tokens = time.time(), 0
    last_saved = step
    try:
        while step < config.num_train_steps and not stop_signal:
            raw = next(it)
            tokens = task.num_tokens(raw)
            window_tokens += tokens
            batch = sharding.shard_batch(raw, run.mesh)
            run.state, metrics = run.train_step(run.state, batch)
            step += 1
            pending.append((step, metrics))
            # Reading metrics waits for the step; doing it only where they are needed lets
            # the host prepare the next batch while the device computes this one.
            sync = progress.bar is not None or bool(stop_signal) or step == config.num_train_steps
            if not sync and not any(step % k == 0 for k in boundaries):
                continue
            for at, m in pending:  # before any evaluation or checkpoint: never save a NaN
                m = {k: float(v) for k, v in m.items()}
                if not math.isfinite(m["loss"]):
                    raise TrainingDivergedError(
                        f"loss is {m['loss']} at step {at}; lower optimizer.learning_rate or "
                        "set optimizer.clip_norm; the last good checkpoint is kept"
                    )
                window.append(m)
            pending = []
            progress.update(step, window[-1], tokens)
            if step % config.log_every == 0 or step == config.num_train_steps:
                mean = {k: float(np.mean([m[k] for m in window])) for k in window[0]}
                dt = time.time() - t_window
                mean["steps_per_s"] = len(window) / dt
                mean["examples_per_s"] = len(window) * config.batch_size / dt
                mean["tokens_per_s"] = window_tokens / dt
                mean["learning_rate"] = optim.current_lr(run.state["opt_state"])
                log.write(step, "train", mean)
                window, t_window, window_tokens = [], time.time(), 0
            stop = False
            if step % config.eval_every == 0 or step == config.num_train_steps:
                ev = run.evaluate(optim.eval_params(run.state), "valid")
                log.write(step, "valid", ev)
                value = ev[mode]
                opt = config.optimizer
                if (
                    opt.average == "nonmono"
                    and not optim.averaging_on(run.state["opt_state"])
                    and optim.nonmono_trigger(meta["history"], value, opt.nonmono, task.eval_mode)
                ):
                    optim.hyperparams(run.state["opt_state"])["average"] = 1.0
                    print(f"step {step}: {mode} stopped improving; averaging on", flush=True)
                meta["history"].append(value)
                if meta["best"] is None or better(value, meta["best"]):
                    meta.update(best=value, bad_evals=0, plateau_evals=0)
                    ckpts.save_best(step, run.state, meta, {mode: value})
                else:
                    meta["bad_evals"] += 1
                    meta["plateau_evals"] += 1
                if opt.schedule == "plateau" and meta["plateau_evals"] >= opt.plateau_patience:
                    h = optim.hyperparams(run.state["opt_state"])
                    h["lr_scale"] = h["lr_scale"] * opt.decay_factor
                    meta["plateau_evals"] = 0
                patience = config.early_stopping_patience
                if patience and meta["bad_evals"] >= patience:
                    print(
                        f"early stopping at step {step}: no {mode} improvement in "
                        f"{patience} evaluations",
                        flush=True,
                    )
                    stop = True
            meta["data"] = it.get_state()
            if step % config.checkpoint_every == 0 or step == config.num_train_steps or stop:
                ckpts.save(step, run.state, meta)
                last_saved = step
            if stop:
                break
        progress.close()
        if stop_signal:
            if last_saved != step:
                ckpts.save(step, run.state, meta, force=True)
            ckpts.wait()
            print(f"SIGTERM: saved step {step}; run the same command to resume", flush=True)
            return {}
        ckpts.wait()
        if config.test_checkpoint == "last":
            final = run.state
        else:
            final, _ = ckpts.restore(run.abstract_state(), best=True)
        test = run.evaluate(optim.eval_params(final), "test")
        log.write(step, "test", test)
        if jax.process_index() == 0:
            base = task.baseline(config)
            if base:
                log.write(step, "baseline", base)
            print(task.describe(test, config, "test"), flush=True)
        return test
    finally:
        signal.signal(signal.SIGTERM, old_handler)
        progress.close()
        log.close()
        ckpts.close()


def _restore_best(config: ml_collections.ConfigDict, workdir: str) -> tuple[_Run, Any]:
    """The run built from ``config`` and the best checkpoint's state from ``workdir``."""
    run = _Run(config, workdir)
    checkpoint.claim_workdir(workdir, run.fingerprint)
    ckpts = checkpoint.Checkpoints(workdir, 1, run.task.eval_metric, run.task.eval_mode)
    try:
        state, _ = ckpts.restore(run.abstract_state(), best=True)
    finally:
        ckpts.close()
    return run, state


def evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict[str, dict[str, float]]:
    """Evaluates the best checkpoint in ``workdir`` on the valid and test splits."""
    run, state = _restore_best(config, workdir)
    out = {s: run.evaluate(optim.eval_params(state), s) for s in ("valid", "test")}
    for split, metrics in out.items():
        print(run.task.describe(metrics, config, split), flush=True)
    return out


def load(config: ml_collections.ConfigDict, workdir: str) -> tuple[Task, nnx.Module]:
    """The task (set up from ``workdir``) and its best model in eval mode: for notebooks
    and analysis scripts."""
    run, state = _restore_best(config, workdir)
    return run.task, run.model(optim.eval_params(state), None)


def predict(config: ml_collections.ConfigDict, workdir: str, inputs: list[str]) -> list[str]:
    """Runs the task's own prediction (generate, classify, ...) with the best checkpoint."""
    task, model = load(config, workdir)
    lines = task.predict(model, config, inputs)
    for line in lines:
        print(line, flush=True)
    return lines
