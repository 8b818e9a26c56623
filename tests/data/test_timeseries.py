"""Time-series CSVs, missing values, a scaler without leakage, and window coverage."""

import numpy as np
import pytest

from lstm_jax.data import timeseries as ts
from lstm_jax.errors import ConfigError, DataError


def write(tmp_path, text, name="s.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_read_csv_dates_missing_and_errors(tmp_path):
    path = write(tmp_path, "date,a,b\n2020-01-01,1,x1\n2020-01-02,NA,2\n2020-01-03,3,3\n")
    s = ts.read_csv(path, "date", ["a"])
    assert s.times.dtype.kind == "M" and np.isnan(s.values[1, 0]) and s.values[2, 0] == 3
    with pytest.raises(DataError, match=r"s.csv:2: column 'b' holds 'x1', not a number"):
        ts.read_csv(path, "date", ["a", "b"])
    with pytest.raises(DataError, match=r"no column 'c'"):
        ts.read_csv(path, "date", ["c"])
    back = write(tmp_path, "t,a\n1,1\n3,2\n2,3\n", "back.csv")
    with pytest.raises(DataError, match=r"back.csv:4: time 2.0 does not come after 3.0"):
        ts.read_csv(back, "t", ["a"])


def test_missing_value_policies():
    v = np.array([[np.nan], [1.0], [np.nan], [3.0], [np.nan]])
    assert ts.fill_missing(v, "ffill")[0][:, 0].tolist() == [1, 1, 1, 3, 3]
    out, n = ts.fill_missing(v, "interpolate")
    assert out[:, 0].tolist() == [1, 1, 2, 3, 3] and n == 3
    assert np.isnan(ts.fill_missing(v, "mask")[0]).sum() == 3
    with pytest.raises(ConfigError, match=r"unknown data.missing"):
        ts.fill_missing(v, "drop")


def test_scaler_uses_training_rows_only(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.normal(5, 2, (100, 3))
    a = ts.Scaler.fit(data[:60])
    changed = data.copy()
    changed[60:] *= 100  # the future changes; the scaler must not
    b = ts.Scaler.fit(changed[:60])
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_allclose(a.inverse(a.transform(data)), data)
    a.save(str(tmp_path / "scaler.json"))
    c = ts.Scaler.load(str(tmp_path / "scaler.json"))
    np.testing.assert_array_equal(c.std, a.std)


def test_windows_cover_every_target_once():
    starts = ts.window_starts(100, 160, lookback=24, horizon=6)
    first_targets = starts + 24
    assert first_targets[0] == 100 and first_targets[-1] + 6 == 160
    assert len(set(first_targets)) == len(first_targets) == 160 - 100 - 6 + 1
    with pytest.raises(ConfigError, match="cannot hold a window"):
        ts.window_starts(0, 20, lookback=24, horizon=6)


def test_categorical_columns_one_hot_from_training_rows(tmp_path):
    path = write(tmp_path, "t,a,wind\n1,1,NW\n2,2,SE\n3,3,NW\n4,4,cv\n", "c.csv")
    s = ts.read_csv(path, "t", ["a"], ["wind"])
    hot, seen = ts.one_hot(s.categories["wind"], train_rows=3)
    assert seen == ["NW", "SE"] and hot.tolist() == [[1, 0], [0, 1], [1, 0], [0, 0]]
