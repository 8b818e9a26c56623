"""Multivariate time series from CSV: reading, missing values, scaling, windows.

Preprocessing matters, and it must not peek at the future: the scaler is fitted on the
training range only and saved with the run, so evaluation and prediction reuse it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import jax
import ml_collections
import numpy as np

from lstm_jax.data import batching
from lstm_jax.data.text import read_text
from lstm_jax.errors import CheckpointError, ConfigError, DataError
from lstm_jax.files import write_atomic

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


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _time(value: str):
    """A number (a year, a step index) or a date; numbers first: NumPy reads "3" as a year."""
    try:
        return float(value)
    except ValueError:
        return np.datetime64(value.strip())


def read_csv(
    path: str,
    time_column: str,
    columns: Sequence[str],
    categorical: Sequence[str] = (),
    header: bool = True,
) -> Series:
    """``columns`` (numeric), ``categorical`` (any text) and ``time_column`` of a CSV.

    ``header=False``: the file has no header row and its columns are named "0".."N-1".
    ``time_column=""``: there is no time column; the row index is time. Otherwise the time
    column must strictly increase. A numeric column's value that is not a number is an
    error naming its line."""
    rows = csv.reader(io.StringIO(read_text(path)))
    first = [h.strip() for h in next(rows)]
    if header:
        names = first
    else:
        names = [str(i) for i in range(len(first))]
        rows = itertools.chain([first], rows)  # the first row is data
    for name in ([time_column] if time_column else []) + [*columns, *categorical]:
        if name not in names:
            hint = ""
            if header and all(_is_number(h) for h in first):
                hint = "; the first row is all numbers: set data.header=False (columns 0..N-1)"
            raise DataError(f"{path!r} has no column {name!r} (its header: {names[:12]}){hint}")
    ti = names.index(time_column) if time_column else None
    idx = [names.index(c) for c in columns]
    cat_idx = [names.index(c) for c in categorical]
    line = 1 if header else 0
    times, values, cats = [], [], []
    for row in rows:
        line += 1
        if not row:
            continue
        try:
            times.append(float(len(times)) if ti is None else _time(row[ti]))
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
            f"{path}:{bad[0] + 2 + header}: time {t[bad[0] + 1]} does not come after "
            f"{t[bad[0]]}; the {time_column!r} column must strictly increase (sort the file, "
            "drop duplicates)"
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
        write_atomic(path, json.dumps({"mean": self.mean.tolist(), "std": self.std.tolist()}))

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


SPLITS = ("train", "valid", "test")


def names(value: str) -> list[str]:
    """A config's comma-separated column names."""
    return [v.strip() for v in value.split(",") if v.strip()]


def split_rows(n: int, spec: str) -> list[int]:
    """Row boundaries [0, a, b, c] of train/valid/test from counts or fractions."""
    parts = [float(p) for p in spec.split(",")]
    if len(parts) != 3 or min(parts) <= 0:
        raise ConfigError(f"data.split must be 3 positive row counts or fractions, got {spec!r}")
    counts = [int(p * n) if sum(parts) <= 1.0 + 1e-9 else int(p) for p in parts]
    if sum(counts) > n:
        raise ConfigError(f"data.split {spec!r} needs {sum(counts)} rows; the file has {n}")
    return [0, counts[0], counts[0] + counts[1], sum(counts)]


@dataclasses.dataclass
class ForecastData(batching.Bucketed):
    """``raw``: float[rows, columns] in the data's units (targets first); ``scaled``: the
    model's inputs float32[rows, features] (scaled columns, then one-hot categories);
    ``filled``: ``raw`` with gaps forward-filled, for the naive forecasts; ``starts[split]``:
    the first row of each window."""

    targets: list[str]
    scaler: Scaler
    raw: np.ndarray
    scaled: np.ndarray
    filled: np.ndarray
    starts: dict[str, np.ndarray]
    lookback: int
    horizon: int
    season: int
    batch_size: int
    eval_batch_size: int

    def lengths(self, split: str) -> list[int]:
        return [0] * len(self.starts[split])  # every window has the same length

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        k, n = len(self.targets), self.lookback
        starts = self.starts[split][np.maximum(index, 0)]
        rows = starts[:, None] + np.arange(n + self.horizon)[None, :]
        window = self.scaled[rows]
        raw = self.raw[rows][:, :, :k]
        filled = self.filled[rows][:, :, :k]
        return {
            "inputs": np.nan_to_num(window[:, :n]),
            "targets": window[:, n:, :k],
            "raw_targets": raw[:, n:],
            "last": filled[:, n - 1],
            "season": filled[:, n - self.season : n],
            "weights": (index >= 0).astype(np.float32),
        }


def load(config: ml_collections.ConfigDict, workdir: str) -> ForecastData:
    d = config.data
    targets, covariates = names(d.targets), names(d.covariates)
    if not targets:
        raise ConfigError("set config.data.targets (the column(s) to forecast)")
    if d.season >= d.lookback:
        raise ConfigError(
            f"data.season ({d.season}) must be shorter than data.lookback ({d.lookback})"
        )
    categorical = names(d.categorical)
    series = read_csv(d.file, d.time_column, targets + covariates, categorical, d.header)
    values, missing = fill_missing(series.values, d.missing)
    if missing:
        print(f"{missing} missing values ({d.missing})", flush=True)
    bounds = split_rows(len(values), d.split)
    scaler = Scaler.fit(values[: bounds[1]]) if d.scale else Scaler.identity(values.shape[1])
    path = os.path.join(workdir, "scaler.json")
    if os.path.exists(path):
        saved = Scaler.load(path)
        if not (np.allclose(saved.mean, scaler.mean) and np.allclose(saved.std, scaler.std)):
            raise CheckpointError(
                f"{path} was fitted on other training data; use a new workdir for this data"
            )
    # the naive forecasts need a last value even where data.missing=mask left a gap
    filled = fill_missing(series.values, "ffill")[0] if d.missing == "mask" else values
    scaled = scaler.transform(values).astype(np.float32)
    for name in categorical:  # one-hot columns join the inputs unscaled
        hot, _ = one_hot(series.categories[name], bounds[1])
        scaled = np.concatenate([scaled, hot], 1)
    starts = {
        s: window_starts(bounds[i], bounds[i + 1], d.lookback, d.horizon)
        for i, s in enumerate(SPLITS)
    }
    if jax.process_index() == 0 and not os.path.exists(path):  # every check has passed
        os.makedirs(workdir, exist_ok=True)
        scaler.save(path)
    return ForecastData(
        targets,
        scaler,
        values,
        scaled,
        filled,
        starts,
        d.lookback,
        d.horizon,
        d.season,
        config.batch_size,
        d.eval_batch_size,
    )
