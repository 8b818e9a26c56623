"""Each policy on its own: what it decides from a sequence of validation values, and that
its saved state makes a restored copy decide exactly as the original."""

import copy
import math

import numpy as np
import pytest

from lstm_jax.train.best_keeping import BestKeeping
from lstm_jax.train.early_stopping import EarlyStopping
from lstm_jax.train.nt_asgd import NTASGD, nonmono_trigger
from lstm_jax.train.plateau import Plateau
from lstm_jax.train.policy import improved


def feed(policy, values, start=1):
    for i, v in enumerate(values, start):
        policy.on_eval(i, v)
    return policy


def test_improved():
    assert improved(1.0, None, "min") and improved(1.0, 2.0, "min")
    assert not improved(2.0, 2.0, "min") and improved(3.0, 2.0, "max")
    assert not improved(math.nan, None, "min") and not improved(math.inf, 5.0, "max")


def test_best_keeping_and_the_last_good_step():
    p = BestKeeping("min")
    marks = []
    for i, v in enumerate([5.0, 3.0, 4.0, 2.0, 7.0, math.nan], 1):
        p.on_eval(i, v)
        marks.append(p.improved)
    assert marks == [True, True, False, True, False, False]
    assert (p.best, p.best_step) == (2.0, 4)
    assert p.good_step == 4  # 7.0 is worse than the first value (5.0); NaN is not finite
    q = feed(BestKeeping("max"), [0.5, 0.6, 0.4])
    assert (q.best, q.good_step) == (0.6, 2)


def test_early_stopping():
    p = EarlyStopping(2, "min", "loss")
    feed(p, [3.0, 2.0, 2.5])
    assert not p.stop and p.bad == 1
    p.on_eval(4, 2.0)  # equal is not better
    assert p.stop
    off = feed(EarlyStopping(0, "min", "loss"), [1.0, 2.0, 3.0, 4.0])
    assert not off.stop


def test_plateau_scales_in_float32_and_resets():
    p = Plateau(2, 0.1, "max")
    feed(p, [0.5, 0.4, 0.4])
    assert p.scale == float(np.float32(0.1)) and p.bad == 0
    feed(p, [0.3, 0.3])
    assert p.scale == float(np.float32(np.float32(0.1) * np.float32(0.1)))
    assert p.controls()["lr_scale"].dtype == np.float32
    off = feed(Plateau(1, 0.5, "min", enabled=False), [1.0, 2.0, 3.0])
    assert off.controls()["lr_scale"] == 1.0


def test_nonmono_trigger():
    assert not nonmono_trigger([5, 4, 3], 3.5, 5, "min")  # too few evaluations yet
    assert not nonmono_trigger([5, 4, 3, 2, 1, 0.5], 4.5, 5, "min")  # better than 5
    assert nonmono_trigger([5, 4, 3, 2, 1, 0.5], 5.5, 5, "min")
    assert nonmono_trigger([0.8, 0.9], 0.85, 1, "max") is False
    assert nonmono_trigger([0.8, 0.9], 0.7, 1, "max")


def test_nt_asgd_switches_once(capsys):
    p = feed(NTASGD(1, "min", "nll"), [5.0, 4.0, 4.5, 6.0])
    assert p.on and p.controls()["average"] == 1.0
    assert capsys.readouterr().out.count("averaging on") == 1
    assert not feed(NTASGD(1, "min", "nll", enabled=False), [5.0, 4.0, 6.0]).on


@pytest.mark.parametrize(
    "make",
    [
        lambda: BestKeeping("min"),
        lambda: EarlyStopping(3, "min", "loss"),
        lambda: Plateau(2, 0.5, "min"),
        lambda: NTASGD(2, "min", "loss"),
    ],
)
def test_saved_state_resumes_exactly(make):
    values = [5.0, 4.0, 4.5, 4.2, 4.1, 3.0, 3.5, 3.6, 3.7, 3.8]
    straight = feed(make(), values)
    first = feed(make(), values[:4])
    saved = copy.deepcopy(first.state_dict())
    resumed = make()
    resumed.load_state_dict(saved)
    feed(resumed, values[4:], start=5)
    assert resumed.state_dict() == straight.state_dict()
    assert resumed.stop == straight.stop and resumed.controls() == straight.controls()
