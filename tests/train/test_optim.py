"""Optimizers: NT-ASGD's averaging, per-batch step scale, torch-style L2."""

import jax.numpy as jnp
import numpy as np
import optax

from configs import default
from lstm_jax.train import optim


def test_averaging_is_the_mean_of_iterates_since_switch_on():
    tx = optim.averaging(jnp.asarray(0.0))
    params = {"w": jnp.asarray(0.0)}
    state = tx.init(params)
    iterates = []
    for i, on in enumerate([0, 0, 1, 1, 1]):
        tx = optim.averaging(jnp.asarray(float(on)))
        updates = {"w": jnp.asarray(float(i + 1))}
        _, state = tx.update(updates, state, params)
        params = optax.apply_updates(params, updates)
        if on:
            iterates.append(float(params["w"]))
    assert int(state.avg_count) == 3
    np.testing.assert_allclose(float(state.avg_params["w"]), np.mean(iterates), rtol=1e-6)


def test_step_scale_and_eval_params():
    c = default.get_config().optimizer
    c.name, c.learning_rate, c.clip_norm, c.average = "sgd", 1.0, 0.0, "nonmono"
    tx = optim.make_optimizer(c, 10)
    params = {"w": jnp.asarray(1.0)}
    s = tx.init(params)
    s = optim.with_hyperparams(s, step_scale=jnp.asarray(0.5))
    updates, s = tx.update({"w": jnp.asarray(2.0)}, s, params)
    assert float(updates["w"]) == -1.0  # lr 1 x scale 0.5 x grad 2
    state = {"params": params, "opt_state": s}
    assert optim.eval_params(state) is params  # averaging still off
    s = optim.with_hyperparams(s, average=jnp.asarray(1.0))
    _, s = tx.update({"w": jnp.asarray(2.0)}, s, params)
    assert (
        float(optim.hyperparams(s)["average"]) > 0
        and float(optim.eval_params({"params": params, "opt_state": s})["w"]) == 0.0
    )


def test_sgd_weight_decay_is_l2_on_the_gradient():
    c = default.get_config().optimizer
    c.name, c.learning_rate, c.clip_norm, c.weight_decay = "sgd", 0.1, 0.0, 0.5
    tx = optim.make_optimizer(c, 10)
    params = {"w": jnp.asarray(2.0)}
    updates, _ = tx.update({"w": jnp.asarray(1.0)}, tx.init(params), params)
    np.testing.assert_allclose(float(updates["w"]), -0.1 * (1.0 + 0.5 * 2.0))
