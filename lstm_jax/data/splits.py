"""One data set cut into train / valid / test by fractions, reproducibly.

Examples that share a group (a source sentence said twice in a translation set) always land
in the same split; with strata (class labels), each stratum is cut by the same fractions.
The cut is a function of the seed, and is written to ``workdir/split.json`` so evaluation
and prediction reuse it exactly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable, Sequence

import jax
import numpy as np

from lstm_jax.errors import ConfigError, DataError
from lstm_jax.files import write_atomic

SPLIT_FILE = "split.json"


def _cut(
    groups: Sequence[Hashable],
    strata: Sequence[Hashable],
    valid: float,
    test: float,
    seed: int,
) -> dict[str, list[int]]:
    rng = np.random.default_rng(seed)
    first: dict[Hashable, int] = {}  # each group's stratum: that of its first example
    for g, s in zip(groups, strata, strict=True):
        first.setdefault(g, s)
    where: dict[Hashable, str] = {}
    for stratum in sorted(set(first.values()), key=str):
        members = [g for g in first if first[g] == stratum]
        order = [members[i] for i in rng.permutation(len(members))]
        n_valid, n_test = round(len(order) * valid), round(len(order) * test)
        for i, g in enumerate(order):
            where[g] = "valid" if i < n_valid else "test" if i < n_valid + n_test else "train"
    out: dict[str, list[int]] = {"train": [], "valid": [], "test": []}
    for i, g in enumerate(groups):
        out[where[g]].append(i)
    return out


def split(
    groups: Sequence[Hashable],
    valid: float,
    test: float,
    seed: int,
    workdir: str,
    strata: Sequence[Hashable] | None = None,
    what: str = "the data",
) -> dict[str, list[int]]:
    """Indices of the train, valid and test examples of one set of ``len(groups)``."""
    for name, value in (("valid_fraction", valid), ("test_fraction", test)):
        if not 0 < value < 1:
            raise ConfigError(f"data.{name} must be in (0, 1), got {value!r}")
    if valid + test >= 1:
        raise ConfigError(f"data.valid_fraction + data.test_fraction must be < 1 ({valid + test})")
    path = os.path.join(workdir, SPLIT_FILE)
    if os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
        if saved["examples"] != len(groups):
            raise DataError(
                f"{path} cut {saved['examples']} examples; {what} now has {len(groups)}: the data "
                "changed since this workdir was trained; use a new --workdir"
            )
        return {k: saved[k] for k in ("train", "valid", "test")}
    out = _cut(groups, strata if strata is not None else [0] * len(groups), valid, test, seed)
    for name, rows in out.items():
        if not rows:
            raise ConfigError(
                f"data.valid_fraction={valid} and data.test_fraction={test} leave the {name} "
                f"split of {what} ({len(groups)} examples) empty; raise the fraction or add data"
            )
    print(
        f"{what}: cut into train/valid/test {len(out['train'])}/{len(out['valid'])}/"
        f"{len(out['test'])} (seed {seed}; kept in {path})",
        flush=True,
    )
    return out


def save(workdir: str, cut: dict[str, list[int]]) -> None:
    """Writes the cut (call it once every other check passed)."""
    path = os.path.join(workdir, SPLIT_FILE)
    if jax.process_index() == 0 and not os.path.exists(path):
        os.makedirs(workdir, exist_ok=True)
        examples = sum(len(v) for v in cut.values())
        write_atomic(path, json.dumps({"examples": examples, **cut}))


def apply(whole: list, cut: dict[str, list[int]], test: list | None = None) -> dict[str, list]:
    """The three splits of ``whole`` by ``cut``; a ``test`` given on its own (a file to
    evaluate) replaces the cut's test part."""
    out = {name: [whole[i] for i in rows] for name, rows in cut.items()}
    return out if test is None else dict(out, test=test)
