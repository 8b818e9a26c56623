"""Everything a config builds for training: task, mesh, model pieces, optimizer, jitted
train and eval steps, and the sharded state they update."""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import nnx

from lstm_jax.files import write_atomic
from lstm_jax.malloc import keep_freed_memory
from lstm_jax.tasks import get_task
from lstm_jax.tasks.base import Task
from lstm_jax.train import optim, sharding
from lstm_jax.train.config_check import with_epochs
from lstm_jax.train.workdir import fingerprint


class Run:
    """``state``: {params, opt_state, step, carry}, replicated (carry: sharded by rows)."""

    def __init__(self, config: ml_collections.ConfigDict, workdir: str):
        keep_freed_memory()  # before the step's buffers are first allocated: see malloc.py
        maybe_init_distributed(config)
        self.workdir = workdir
        self.task: Task = get_task(config.task)
        self.data = self.task.setup(config, workdir)  # its sizes (a vocabulary) come first
        self.config = config = with_epochs(config, self.data.steps_per_epoch)
        self.mesh = sharding.make_mesh(config.mesh.num_devices)
        sharding.check_batch_size(config.batch_size, self.mesh)
        model = self.task.make_model(config, nnx.Rngs(params=config.seed, dropout=config.seed + 1))
        self.graphdef, params, self.rest = nnx.split(model, nnx.Param, ...)
        self.tx = optim.make_optimizer(config.optimizer, config.num_train_steps)
        # the controls the policies set at every step, with the types the step gives them
        opt_state = optim.with_hyperparams(
            self.tx.init(params), lr_scale=np.float32(1), average=np.float32(0)
        )
        state = {"params": params, "opt_state": opt_state}
        state["step"] = jnp.zeros((), jnp.int32)
        self.state = jax.device_put(state, sharding.replicated(self.mesh))
        carry = self.task.init_carry(config, config.batch_size)  # e.g. an LM's state
        self.state["carry"] = sharding.shard_batch(carry, self.mesh)
        self.fingerprint = fingerprint(config.task, params)
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
        else:  # a schedule inside a model (MemN2N's linear start) reads the training step
            model.set_attributes(train_step=step, raise_if_not_found=False)
        return model

    def _reseeded(self, base: jax.Array) -> Any:
        """The RNG streams' state with stream i keyed fold_in(base, i) and its count at 0:
        a fresh, distinct key for every dropout site at every step. (``nnx.reseed`` gives
        every stream of one name the same key, so two dropout sites that hold streams of
        their own would draw the same masks.)"""
        leaves, treedef = jax.tree.flatten(self.rest)
        out, i = [], 0
        for x in leaves:
            if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
                out.append(jax.random.fold_in(base, i))
                i += 1
            else:  # the stream's counter
                out.append(jnp.zeros_like(x))
        return jax.tree.unflatten(treedef, out)

    def _train_step(self, state, batch, controls):
        """``controls``: the policies' injected hyperparameters (lr_scale, average)."""

        def loss_fn(params):
            return self.task.loss(self.model(params, state["step"]), batch, state["carry"])

        (loss, (metrics, carry)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state["params"])
        if "update_scale" in batch:  # this batch's learning-rate factor (AWD-LSTM)
            controls = dict(controls, step_scale=jnp.mean(batch["update_scale"]))
        opt_state = optim.with_hyperparams(state["opt_state"], **controls)
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
            self._eval_data[split] = list(self.data.eval(split))
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
        out = self.task.summarize(means, self.config, split)
        for name, content in out.pop("outputs", {}).items():  # a confusion matrix, ...
            if jax.process_index() == 0 and os.path.isdir(self.workdir):
                write_atomic(os.path.join(self.workdir, name), content)
        return out

    def abstract_state(self) -> Any:
        return jax.tree.map(
            lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding), self.state
        )


def maybe_init_distributed(config: ml_collections.ConfigDict) -> None:
    """Starts jax.distributed if the config names a coordinator; before any other JAX call."""
    d = config.distributed
    if d.coordinator and not jax.distributed.is_initialized():
        jax.distributed.initialize(d.coordinator, d.num_processes, d.process_id)
