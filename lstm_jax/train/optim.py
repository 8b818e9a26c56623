"""optax optimizers and schedules from ``config.optimizer``.

The learning rate goes through ``optax.inject_hyperparams`` with ``lr_scale`` (set by the
plateau policy), ``step_scale`` (set per batch) and ``average`` (NT-ASGD's switch), all
inputs of the jitted step, so the policies act on the validation metric without the host
editing the optimizer state.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import optax


def schedule(opt: ml_collections.ConfigDict, num_steps: int) -> optax.Schedule:
    lr = opt.learning_rate
    if opt.schedule in ("constant", "plateau"):
        return optax.constant_schedule(lr)
    if opt.schedule == "step":  # Zaremba et al.: constant, then x decay_factor every decay_every
        return optax.exponential_decay(
            lr,
            opt.decay_every,
            opt.decay_factor,
            transition_begin=opt.decay_start,
            staircase=True,
        )
    return optax.warmup_cosine_decay_schedule(
        0.0, lr, max(opt.warmup_steps, 1), max(num_steps, opt.warmup_steps + 1)
    )


class AverageState(NamedTuple):
    avg_count: jax.Array  # steps averaged so far; 0 until averaging is switched on
    avg_params: Any  # the running mean of the parameters (tracks them while off)


def averaging(on: jax.Array) -> optax.GradientTransformation:
    """Polyak averaging of the iterates (ASGD), counted from the step ``on`` becomes 1.

    The updates pass through unchanged; the mean lives in the state for evaluation.
    """

    def init(params):  # a copy: the state must not alias the (donated) parameters
        return AverageState(jnp.zeros((), jnp.int32), jax.tree.map(jnp.copy, params))

    def update(updates, state, params):
        new = optax.apply_updates(params, updates)
        count = state.avg_count + (on > 0).astype(jnp.int32)
        frac = jnp.where(count > 0, 1.0 / jnp.maximum(count, 1), 1.0)
        avg = jax.tree.map(lambda a, p: a + (p - a) * frac, state.avg_params, new)
        return updates, AverageState(count, avg)

    return optax.GradientTransformation(init, update)


def make_optimizer(opt: ml_collections.ConfigDict, num_steps: int) -> optax.GradientTransformation:
    def build(learning_rate, lr_scale, step_scale, average):
        # step_scale is set per batch (AWD-LSTM's seq_len / bptt); average by the host (NT-ASGD)
        rate = learning_rate * lr_scale * step_scale
        if opt.name == "sgd":
            base = optax.sgd(rate, momentum=opt.momentum or None)
        elif opt.name == "adam":
            base = optax.adam(rate)
        else:  # decoupled weight decay
            base = optax.adamw(rate, weight_decay=opt.weight_decay)
        # identity keeps the state's structure, so clip_norm can change across a resume
        clip = optax.clip_by_global_norm(opt.clip_norm) if opt.clip_norm else optax.identity()
        if opt.weight_decay and opt.name != "adamw":  # L2 on the clipped gradient, as torch
            base = optax.chain(optax.add_decayed_weights(opt.weight_decay), base)
        if opt.average == "off":
            return optax.chain(clip, base)
        return optax.chain(clip, base, averaging(average))

    tx = optax.inject_hyperparams(build)(
        learning_rate=schedule(opt, num_steps), lr_scale=1.0, step_scale=1.0, average=0.0
    )
    if opt.accumulate_steps > 1:
        tx = optax.MultiSteps(tx, every_k_schedule=opt.accumulate_steps)
    return tx


def hyperparams(opt_state: Any) -> dict:
    """The injected hyperparameters, with or without MultiSteps around them."""
    inner = getattr(opt_state, "inner_opt_state", opt_state)
    return inner.hyperparams


def with_hyperparams(opt_state: Any, **values: jax.Array) -> Any:
    """The state with injected hyperparameters set (inside the jitted step): the batch's
    ``step_scale``, the policies' ``lr_scale`` and ``average``."""
    h = dict(hyperparams(opt_state), **values)
    inner = getattr(opt_state, "inner_opt_state", None)
    if inner is None:
        return opt_state._replace(hyperparams=h)
    return opt_state._replace(inner_opt_state=inner._replace(hyperparams=h))


def eval_params(state: dict) -> Any:
    """The parameters to evaluate: the running average once NT-ASGD has switched it on."""
    count = optax.tree.get(state["opt_state"], "avg_count", None)
    if count is not None and int(count) > 0:
        return optax.tree.get(state["opt_state"], "avg_params")
    return state["params"]


def current_lr(opt_state: Any) -> float:
    h = hyperparams(opt_state)
    return float(h["learning_rate"]) * float(h["lr_scale"])
