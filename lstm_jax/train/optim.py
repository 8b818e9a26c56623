"""optax optimizers and schedules from ``config.optimizer``.

The learning rate goes through ``optax.inject_hyperparams`` with a host-set ``lr_scale``
so reduce-on-plateau can act on the validation metric (as Keras' ReduceLROnPlateau and
torch's ReduceLROnPlateau do) and is saved with the optimizer state.
"""

from __future__ import annotations

from typing import Any

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


def make_optimizer(opt: ml_collections.ConfigDict, num_steps: int) -> optax.GradientTransformation:
    def build(learning_rate, lr_scale):
        rate = learning_rate * lr_scale
        if opt.name == "sgd":
            base = optax.sgd(rate, momentum=opt.momentum or None)
        elif opt.name == "adam":
            base = optax.adam(rate)
        else:
            base = optax.adamw(rate, weight_decay=opt.weight_decay)
        # identity keeps the state's structure, so clip_norm can change across a resume
        clip = optax.clip_by_global_norm(opt.clip_norm) if opt.clip_norm else optax.identity()
        return optax.chain(clip, base)

    tx = optax.inject_hyperparams(build)(learning_rate=schedule(opt, num_steps), lr_scale=1.0)
    if opt.accumulate_steps > 1:
        tx = optax.MultiSteps(tx, every_k_schedule=opt.accumulate_steps)
    return tx


def hyperparams(opt_state: Any) -> dict:
    """The injected hyperparameters, with or without MultiSteps around them."""
    inner = getattr(opt_state, "inner_opt_state", opt_state)
    return inner.hyperparams


def current_lr(opt_state: Any) -> float:
    h = hyperparams(opt_state)
    return float(h["learning_rate"]) * float(h["lr_scale"])
