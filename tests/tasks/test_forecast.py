"""The ``forecast`` task end to end on a generated seasonal series, beside naive forecasts."""

import os

import numpy as np
import pytest

from configs import etth1, stock
from lstm_jax.errors import CheckpointError, ConfigError
from lstm_jax.tasks import get_task
from lstm_jax.train import trainer


def series(path, n=1200, seed=0, missing=0):
    """y = a daily cycle (period 24) + noise, with a covariate that leads it."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.2, n)
    x = np.sin(2 * np.pi * (t + 3) / 24)
    rows = ["time,y,x"] + [f"{i},{a:.4f},{b:.4f}" for i, a, b in zip(t, y, x, strict=True)]
    for i in rng.choice(np.arange(1, n), missing, replace=False):
        rows[i + 1] = f"{i},,{x[i]:.4f}"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def tiny(file, **overrides):
    c = etth1.get_config()
    c.data.file, c.data.time_column = file, "time"
    c.data.targets, c.data.covariates = "y", "x"
    c.data.split = "0.6,0.2,0.2"
    c.data.lookback, c.data.horizon, c.data.season = 48, 12, 24
    c.model.hidden_features = 16
    c.optimizer.learning_rate = 1e-2
    c.num_train_steps = 200
    c.eval_every = c.checkpoint_every = 100
    c.log_every = 50
    c.update_from_flattened_dict(overrides)
    return c


@pytest.mark.parametrize("decoder", ["direct", "autoregressive"])
def test_tiny_run_beats_the_naive_forecast(tmp_path, decoder):
    c = tiny(series(tmp_path / "s.csv"), **{"model.decoder": decoder})
    workdir = str(tmp_path / "w")
    test = trainer.train_and_evaluate(c, workdir)
    assert test["mae"] < test["naive_mae"] and test["rmse"] < test["naive_rmse"], test
    assert 0.5 < test["interval_coverage"] <= 1.0
    assert os.path.exists(os.path.join(workdir, "forecast_test.png"))
    lines = trainer.predict(c, workdir, [])
    assert len(lines) == 12 and lines[0].startswith("+1: y: q0.1=")


def test_missing_values_are_counted_and_scaler_is_kept(tmp_path, capsys):
    path = series(tmp_path / "s.csv", missing=30)
    task = get_task("forecast")
    task.setup(tiny(path, **{"data.missing": "ffill"}), str(tmp_path / "w"))
    assert "30 missing values (ffill)" in capsys.readouterr().out
    other = series(tmp_path / "other.csv", seed=1)
    with pytest.raises(CheckpointError, match=r"scaler.json was fitted on other training data"):
        get_task("forecast").setup(tiny(other), str(tmp_path / "w"))


def test_bad_settings(tmp_path):
    path = series(tmp_path / "s.csv", n=300)
    with pytest.raises(ConfigError, match="cannot hold a window"):
        get_task("forecast").setup(tiny(path, **{"data.horizon": 100}), str(tmp_path / "w1"))
    with pytest.raises(ConfigError, match=r"data.split .* needs 400 rows"):
        get_task("forecast").setup(
            tiny(path, **{"data.split": "200,100,100"}), str(tmp_path / "w2")
        )


def test_configs_load():
    assert etth1.get_config("96").data.horizon == 96 and stock.get_config().data.horizon == 1
