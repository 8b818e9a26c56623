"""Run a sweep of configs and collect its results: one command per study.

    python -m experiments.sweep experiments/long_range/sweep.py --root=/tmp/long_range
    python -m experiments.sweep ... --parallel=2      # two runs at a time on this machine
    python -m experiments.sweep ... --shard=0/4       # this machine's quarter (array job 0 of 4)
    python -m experiments.sweep ... --collect         # only the tables and the plot

A sweep file names a base config and adds points, as big_vision's ``sweep(add)``::

    CONFIG = "configs/adding.py"      # a config file, optionally ":variant"
    SEEDS = [0, 1, 2]                 # every point runs once per seed
    METRICS = ["mse"]                 # test metrics to tabulate
    PLOT = {"x": "data.length", "series": "model.cell", "metric": "mse"}  # optional
    CURVES = {"metric": "nll", "exp": True, "label": "perplexity"}  # optional, see below
    def sweep(add):
        for cell in ["lstm", "gru"]:
            add(**{"model.cell": cell, "data.length": 50})
        add(config="configs/copy.py", **{"model.cell": "lstm"})  # a point may name its config
        add(**{"model.cell": "rnn"}, seeds=[0])  # ... and its own seeds

Each run has its own workdir under ``--root`` (named by its overrides and seed). A run
whose ``metrics.jsonl`` holds a test record is finished and skipped; any other run is
started with the same command, which resumes from its last checkpoint. Runs are
launched as argument lists (``--config.KEY=VALUE`` flags), never through a shell.
Results: ``results.csv`` and ``results.md`` (mean and standard deviation over seeds) and
``results.png`` next to the sweep file. Every row also has the training throughput
(``tokens_per_s``: the median over logged windows, the first, which compiles, left out)
and the steps trained. With ``CURVES``, each row adds the metric's best and last
validation value and its last training value, and ``curves.png`` draws every point's
training and validation curves (seed 0), so overfitting shows as the gap between them.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from typing import Any

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_sweep(path: str):
    spec = importlib.util.spec_from_file_location("sweep_definition", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("CONFIG", "sweep"):
        if not hasattr(module, name):
            sys.exit(f"error: {path} defines no {name}; see experiments/sweep.py")
    return module


def points(module) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    module.sweep(lambda **overrides: out.append(overrides))
    return out


def run_name(overrides: dict[str, Any], seed: int) -> str:
    parts = [f"{k.split('.')[-1]}={v}" for k, v in overrides.items()] + [f"seed={seed}"]
    parts = [p.replace("configs/", "").replace(".py", "") for p in parts]
    return re.sub(r"[^A-Za-z0-9_.=,-]", "_", ",".join(parts))


def runs(module, root: str) -> list[dict[str, Any]]:
    out = []
    for overrides in points(module):
        seeds = overrides.pop("seeds", getattr(module, "SEEDS", [0]))
        flags = {k: v for k, v in overrides.items() if k != "config"}
        for seed in seeds:
            name = run_name(overrides, seed)
            workdir = os.path.join(root, name)
            cmd = [
                sys.executable,
                "-m",
                "lstm_jax.main",
                f"--config={overrides.get('config', module.CONFIG)}",
                f"--workdir={workdir}",
                f"--config.seed={seed}",
                *[f"--config.{k}={v}" for k, v in flags.items()],
            ]
            out.append({"overrides": overrides, "seed": seed, "workdir": workdir, "cmd": cmd})
    return out


def records(workdir: str) -> list[dict[str, Any]]:
    path = os.path.join(workdir, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def finished(workdir: str) -> bool:
    return any(r["split"] == "test" for r in records(workdir))


def execute(todo: list[dict[str, Any]], parallel: int) -> list[str]:
    """Runs the commands, ``parallel`` at a time; each run's output goes to its log."""
    failed, active = [], []
    queue = list(todo)
    while queue or active:
        while queue and len(active) < parallel:
            r = queue.pop(0)
            os.makedirs(r["workdir"], exist_ok=True)
            log = open(os.path.join(r["workdir"], "sweep.log"), "a")  # noqa: SIM115
            print(f"start {os.path.basename(r['workdir'])}", flush=True)
            proc = subprocess.Popen(r["cmd"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
            active.append((proc, log, r))
        for item in list(active):
            proc, log, r = item
            if proc.poll() is None:
                continue
            log.close()
            active.remove(item)
            ok = proc.returncode == 0 and finished(r["workdir"])
            print(f"{'done' if ok else 'FAILED'} {os.path.basename(r['workdir'])}", flush=True)
            if not ok:
                failed.append(r["workdir"])
        time.sleep(0.2)
    return failed


def collect(module, root: str, out_dir: str) -> list[dict[str, Any]]:
    """One row per point: mean and standard deviation over its finished seeds."""
    metrics = getattr(module, "METRICS", [])
    by_point: dict[str, dict[str, Any]] = {}
    for r in runs(module, root):
        test = [x for x in records(r["workdir"]) if x["split"] == "test"]
        key = json.dumps(r["overrides"], sort_keys=True)
        row = by_point.setdefault(key, {"overrides": r["overrides"], "values": {}, "seconds": []})
        if not test:
            continue
        found = {m: test[-1][m] for m in metrics or test[-1] if m in test[-1]}  # tasks differ
        found = {k: v for k, v in found.items() if k not in ("step", "split", "wall_time")}
        found.update(run_summary(records(r["workdir"]), getattr(module, "CURVES", None)))
        for m, v in found.items():
            row["values"].setdefault(m, []).append(v)
        row["seconds"].append(test[-1]["wall_time"])
    rows = []
    for row in by_point.values():
        out = dict(row["overrides"])
        out["seeds"] = len(row["seconds"])
        for m, vals in row["values"].items():
            out[f"{m}_mean"] = float(np.mean(vals))
            out[f"{m}_std"] = float(np.std(vals))
        out["minutes_mean"] = float(np.mean(row["seconds"]) / 60) if row["seconds"] else None
        rows.append(out)
    os.makedirs(out_dir, exist_ok=True)
    # the overrides first, even one only a later point sets; then what was measured
    keys = [k for row in by_point.values() for k in row["overrides"]]
    write_tables(
        rows, list(dict.fromkeys([*keys, *(k for r in rows for k in r)])), out_dir, "results"
    )
    plot = getattr(module, "PLOT", None)
    if plot and rows:
        draw(rows, plot, os.path.join(out_dir, "results.png"))
    curves = getattr(module, "CURVES", None)
    if curves and rows:
        first = {}
        for r in runs(module, root):
            first.setdefault(json.dumps(r["overrides"], sort_keys=True), r)
        draw_curves(list(first.values()), curves, os.path.join(out_dir, "curves.png"))
    return rows


def write_tables(rows: list[dict[str, Any]], columns: list[str], out_dir: str, name: str) -> None:
    """``name``.csv and ``name``.md in ``out_dir``: one line per row, these columns."""
    with open(os.path.join(out_dir, f"{name}.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, columns)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(out_dir, f"{name}.md"), "w") as f:
        f.write(markdown(rows, columns))


def _curve_value(record: dict[str, Any], curves: dict[str, Any]) -> float:
    v = record[curves["metric"]]
    return float(np.exp(v)) if curves.get("exp") else float(v)


def run_summary(recs: list[dict[str, Any]], curves: dict[str, Any] | None) -> dict[str, float]:
    """Throughput and steps of one run; with ``curves``, its best/last valid and last train."""
    train = [x for x in recs if x["split"] == "train"]
    out: dict[str, float] = {}
    if len(train) > 1:
        out["tokens_per_s"] = float(np.median([x["tokens_per_s"] for x in train[1:]]))
    if train:
        out["steps"] = float(train[-1]["step"])
    if curves:
        name = curves.get("label", curves["metric"])
        valid = [_curve_value(x, curves) for x in recs if x["split"] == "valid"]
        if valid:
            best = min if curves.get("mode", "min") == "min" else max
            out[f"valid_{name}_best"] = best(valid)
            out[f"valid_{name}_last"] = valid[-1]
        if train:
            out[f"train_{name}_last"] = _curve_value(train[-1], curves)
    return out


def draw_curves(points: list[dict[str, Any]], curves: dict[str, Any], path: str) -> None:
    """One panel per point: its training (dashed) and validation (solid) curve by step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = curves.get("label", curves["metric"])
    shared = set.intersection(
        *(set(json.dumps(kv) for kv in r["overrides"].items()) for r in points)
    )
    fig, ax = plt.subplots(figsize=(11, 5))
    for i, r in enumerate(points):
        recs = records(r["workdir"])
        own = {k: v for k, v in r["overrides"].items() if json.dumps([k, v]) not in shared}
        label = run_name(own, r["seed"]).rsplit("seed=", 1)[0].rstrip(",") or "base"
        color = f"C{i % 10}"
        for split, style in (("train", "--"), ("valid", "-")):
            pts = [(x["step"], _curve_value(x, curves)) for x in recs if x["split"] == split]
            if pts:
                x, y = zip(*pts, strict=True)
                ax.plot(x, y, style, color=color, label=f"{label} ({split})")
    ax.set_xlabel("step")
    ax.set_ylabel(name)
    if curves.get("logy", True):
        ax.set_yscale("log")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown(rows: list[dict[str, Any]], keys: list[str]) -> str:
    def cell(v):
        if v is None:
            return ""
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(cell(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def draw(rows: list[dict[str, Any]], plot: dict[str, str], path: str) -> None:
    """Metric against ``x``, one line per ``series`` value, one panel per ``facet`` value;
    ``metric`` may list several: each panel plots the first its runs report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wanted, facet = plot["metric"], plot.get("facet")
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    panels = list(dict.fromkeys(r.get(facet) for r in rows)) if facet else [None]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        mine = [r for r in rows if not facet or r.get(facet) == panel]
        metric = next((m for m in wanted if any(f"{m}_mean" in r for r in mine)), wanted[0])
        for series in dict.fromkeys(r.get(plot.get("series")) for r in mine):
            pts = sorted(  # points without the x key (another part of the study) sit out
                (
                    (r[plot["x"]], r[f"{metric}_mean"], r[f"{metric}_std"])
                    for r in mine
                    if r.get(plot.get("series")) == series
                    and f"{metric}_mean" in r
                    and plot["x"] in r
                ),
                key=lambda p: (isinstance(p[0], str), p[0]),
            )
            if pts:
                x, y, e = zip(*pts, strict=True)
                ax.errorbar(x, y, yerr=e, marker="o", capsize=3, label=str(series))
        ax.set_xlabel(plot["x"])
        split = "training" if metric in ("tokens_per_s", "steps") else "test"
        ax.set_ylabel(f"{split} {metric} (mean ± std over seeds)")
        if panel is not None:
            ax.set_title(str(panel))
        if plot.get("logy"):
            ax.set_yscale("log")
        if plot.get("series"):  # one unnamed line needs no legend
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", help="a sweep file (experiments/<study>/sweep.py)")
    ap.add_argument("--root", required=True, help="where the runs' workdirs go")
    ap.add_argument("--parallel", type=int, default=1, help="runs at a time on this machine")
    ap.add_argument("--shard", default="0/1", help="i/n: run every n-th run, from the i-th")
    ap.add_argument("--collect", action="store_true", help="only write the tables and plot")
    ap.add_argument("--out", default="", help="results folder (default: the sweep file's)")
    args = ap.parse_args(argv)
    module = load_sweep(args.sweep)
    out_dir = args.out or os.path.dirname(os.path.abspath(args.sweep))
    if not args.collect:
        try:
            i, n = (int(x) for x in args.shard.split("/"))
            assert 0 <= i < n
        except (ValueError, AssertionError):
            sys.exit(f"error: --shard must be i/n with 0 <= i < n, got {args.shard!r}")
        mine = runs(module, args.root)[i::n]
        todo = [r for r in mine if not finished(r["workdir"])]
        print(
            f"{len(mine)} runs in this shard, {len(mine) - len(todo)} already finished", flush=True
        )
        failed = execute(todo, max(args.parallel, 1))
        if failed:
            print(f"{len(failed)} runs failed; see sweep.log in: {', '.join(failed)}", flush=True)
            return 1
    rows = collect(module, args.root, out_dir)
    print(f"{len(rows)} points -> {os.path.join(out_dir, 'results.md')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
