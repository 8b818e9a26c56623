"""Validation perplexity against wall time for LM workdirs: a PNG and a Markdown table.

    python experiments/lm_curves.py --out experiments/results/ptb \
        ptb_small=/tmp/ptb_small ptb_medium=/tmp/ptb_medium

Reads each workdir's metrics.jsonl (wall_time counts from the run's start). Needs the
``plots`` extra (matplotlib).
"""

from __future__ import annotations

import argparse
import json
import os


def load(workdir: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            out.setdefault(r["split"], []).append(r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="label=workdir")
    ap.add_argument("--out", required=True, help="path prefix for .png and .md")
    ap.add_argument("--metric", default="perplexity")
    args = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    rows = [
        "| run | evals | steps done / planned | minutes | valid | best valid | test "
        "| projected total hours |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in args.runs:
        label, workdir = run.split("=", 1)
        rec = load(workdir)
        valid = rec.get("valid", [])
        if not valid:
            continue
        t = [r["wall_time"] / 60 for r in valid]
        v = [r[args.metric] for r in valid]
        ax.plot(t, v, marker="o", ms=3, label=label)
        test = rec.get("test", [])
        test_v = f"{test[-1][args.metric]:.2f}" if test else "not run"
        with open(os.path.join(workdir, "config.json")) as f:
            planned = json.load(f)["num_train_steps"]
        last = rec["train"][-1]
        hours = last["wall_time"] / last["step"] * planned / 3600  # at the pace so far
        rows.append(
            f"| {label} | {len(valid)} | {last['step']} / {planned} | {t[-1]:.1f} | {v[-1]:.2f} "
            f"| {min(v):.2f} | {test_v} | {hours:.1f} |"
        )
    ax.set_xlabel("wall time (minutes)")
    ax.set_ylabel(f"validation {args.metric}")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.out + ".png", dpi=120)
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
