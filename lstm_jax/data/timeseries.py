"""Multivariate time series from CSV: reading, missing values, scaling, windows.

Preprocessing matters, and it must not peek at the future: the scaler is fitted on the
training range only and saved with the run, so evaluation and prediction reuse it.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lstm_jax.data.text import read_text
from lstm_jax.errors import ConfigError, DataError

MISSING = ("", "na", "nan", "null", "none", "?")
POLICIES = ("ffill", "interpolate", "mask")


@dataclass
class Series:
    """times: datetime64[n] (or float64[n]); values: float64[n, columns] (NaN = missing);
    categories: name -> str[n] for the categorical columns."""

    times: np.ndarray
    values: np.ndarray
    columns: list[str]
    categories: dict[str, np.ndarray]


def _time(value: str):
    """A number (a year, a step index) or a date; numbers first: NumPy reads "3" as a year."""
    try:
        return float(value)
    except ValueError:
        return np.datetime64(value.strip())


def read_csv(
    path: str, time_column: str, columns: Sequence[str], categorical: Sequence[str] = ()
) -> Series:
    """``columns`` (numeric), ``categorical`` (any text) and ``time_column`` of a CSV with
    a header. The time column must strictly increase; a numeric column's value that is
    not a number is an error naming its line."""
    rows = csv.reader(io.StringIO(read_text(path)))
    header = [h.strip() for h in next(rows)]
    for name in (time_column, *columns, *categorical):
        if name not in header:
            raise DataError(f"{path!r} has no column {name!r} (its header: {header})")
    ti, idx = header.index(time_column), [header.index(c) for c in columns]
    cat_idx = [header.index(c) for c in categorical]
    times, values, cats = [], [], []
    for row in rows:
        if not row:
            continue
        line = rows.line_num
        try:
            times.append(_time(row[ti]))
        except ValueError:
            raise DataError(
                f"{path}:{line}: time {row[ti]!r} is neither a date nor a number"
            ) from None
        out = []
        for j, c in zip(idx, columns, strict=True):
            v = row[j].strip() if j < len(row) else ""
            if v.lower() in MISSING:
                out.append(math.nan)
                continue
            try:
                out.append(float(v))
            except ValueError:
                raise DataError(f"{path}:{line}: column {c!r} holds {v!r}, not a number") from None
        values.append(out)
        cats.append([row[j].strip() if j < len(row) else "" for j in cat_idx])
    if not values:
        raise DataError(f"{path!r} has no rows")
    t = np.array(times)
    steps = np.diff(t)
    bad = np.nonzero(steps <= steps.dtype.type(0))[0]
    if bad.size:
        raise DataError(
            f"{path}:{bad[0] + 3}: time {t[bad[0] + 1]} does not come after {t[bad[0]]}; the "
            f"{time_column!r} column must strictly increase (sort the file, drop duplicates)"
        )
    cat_arrays = np.array(cats, dtype=object).reshape(len(cats), len(cat_idx))
    categories = {c: cat_arrays[:, i].astype(str) for i, c in enumerate(categorical)}
    return Series(t, np.array(values, np.float64), list(columns), categories)


def one_hot(values: np.ndarray, train_rows: int) -> tuple[np.ndarray, list[str]]:
    """A categorical column -> float32[n, categories] one-hot over the categories seen in
    the training rows (a category first seen later is all zeros), and those categories."""
    seen = sorted(set(values[:train_rows]))
    index = {v: i for i, v in enumerate(seen)}
    out = np.zeros((len(values), len(seen)), np.float32)
    for row, v in enumerate(values):
        if v in index:
            out[row, index[v]] = 1.0
    return out, seen


def fill_missing(values: np.ndarray, policy: str) -> tuple[np.ndarray, int]:
    """-> (values, how many were missing). ``ffill`` carries the last value forward (a
    leading gap takes the first value), ``interpolate`` is linear in the row index, and
    ``mask`` keeps NaN for the loss and metrics to skip."""
    if policy not in POLICIES:
        raise ConfigError(f"unknown data.missing {policy!r}; choose one of {POLICIES}")
    missing = np.isnan(values)
    count = int(missing.sum())
    if not count or policy == "mask":
        return values, count
    out = values.copy()
    idx = np.arange(len(values))
    for j in range(values.shape[1]):
        ok = ~missing[:, j]
        if not ok.any():
            raise DataError(f"column {j} has no values at all")
        if policy == "interpolate":
            out[:, j] = np.interp(idx, idx[ok], values[ok, j])
        else:
            last = np.maximum.accumulate(np.where(ok, idx, -1))
            first = idx[ok][0]
            out[:, j] = values[np.where(last < 0, first, last), j]
    return out, count


class Scaler:
    """Per-column standardization, fitted on the training rows only."""

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        self.mean, self.std = np.asarray(mean, np.float64), np.asarray(std, np.float64)

    @classmethod
    def identity(cls, columns: int) -> Scaler:
        """No scaling (for ablations: the model sees the raw values)."""
        return cls(np.zeros(columns), np.ones(columns))

    @classmethod
    def fit(cls, train: np.ndarray) -> Scaler:
        std = np.nanstd(train, 0)
        return cls(np.nanmean(train, 0), np.where(std > 0, std, 1.0))

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std

    def inverse(self, x: np.ndarray, columns: Sequence[int] | slice = slice(None)) -> np.ndarray:
        return x * self.std[columns] + self.mean[columns]

    def save(self, path: str) -> None:
        with open(path, "w") as f:
            json.dump({"mean": self.mean.tolist(), "std": self.std.tolist()}, f)

    @classmethod
    def load(cls, path: str) -> Scaler:
        with open(path) as f:
            d = json.load(f)
        return cls(np.array(d["mean"]), np.array(d["std"]))


def window_starts(begin: int, end: int, lookback: int, horizon: int) -> np.ndarray:
    """Windows whose forecast targets lie in rows [begin, end): the i-th forecasts rows
    [s + lookback, s + lookback + horizon) from rows [s, s + lookback), s = start i. Every
    target row is the first forecast step of exactly one window."""
    first = max(begin - lookback, 0)
    last = end - lookback - horizon  # inclusive
    if last < first:
        raise ConfigError(
            f"rows {begin}..{end} cannot hold a window of lookback {lookback} + horizon "
            f"{horizon}; lower data.horizon or data.lookback, or lengthen the split"
        )
    return np.arange(first, last + 1)
