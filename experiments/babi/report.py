"""The bAbI per-task table: ours (mean and std over seeds, from the sweeps' results.csv)
beside Weston et al.'s LSTM baseline and MemN2N, with the mean error and tasks passed.

    python -m experiments.babi.report     # writes experiments/babi/results.md

Ours: the sweeps' results.csv in 1k/, 1k_adjacent/ (configs/babi.py:adjacent) and 10k/.

Published numbers, transcribed: Weston et al. 2015 ("Towards AI-Complete Question
Answering", Table 3, weakly supervised LSTM, 1k: test accuracy %); Sukhbaatar et al.
2015 ("End-To-End Memory Networks", Table 1, MemN2N PE LS RN jointly trained, 1k: test
error %; the 10k mean error 4.2% of the issue's goal is its PE LS RN 10k column's mean).
"""

from __future__ import annotations

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
LSTM_1K = [50, 20, 20, 61, 70, 48, 49, 45, 64, 44, 72, 74, 94, 27, 21, 23, 51, 52, 8, 91]
MEMN2N_1K_ERROR = [
    0.0, 11.4, 21.9, 13.4, 14.4, 2.8, 18.3, 9.3, 1.9, 6.5,
    0.3, 0.1, 0.2, 6.9, 0.0, 2.7, 40.4, 9.4, 88.0, 0.0,
]  # fmt: skip


def ours(set_name: str) -> dict[int, tuple[float, float, int]]:
    """task -> (mean accuracy %, std, seeds) from ``<set>/results.csv``, if it exists."""
    path = os.path.join(HERE, set_name, "results.csv")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        std = float(r["accuracy_std"] or 0)
        out[int(r["data.task"])] = (100 * float(r["accuracy_mean"]), 100 * std, int(r["seeds"]))
    return out


# sweep folders beside this file and their column names; the 1k ones face the LSTM baseline
SWEEPS = [("1k", "ours 1k"), ("1k_adjacent", "ours 1k, :adjacent"), ("10k", "ours 10k")]


def table() -> str:
    res = {name: ours(name) for name, _ in SWEEPS}
    heads = [title + " (mean ± std)" for _, title in SWEEPS]
    lines = [
        f"| task | {heads[0]} | {heads[1]} | LSTM 1k (Weston et al.) | MemN2N 1k | {heads[2]} |",
        "|---:|---:|---:|---:|---:|---:|",
    ]

    def cell(r, t):
        if t not in r:
            return "not run"
        mean, std, seeds = r[t]
        return f"{mean:.1f} ± {std:.1f}" if seeds > 1 else f"{mean:.1f} (1 seed)"

    for t in range(1, 21):
        a, b, c = (cell(res[name], t) for name, _ in SWEEPS)
        memn2n = 100 - MEMN2N_1K_ERROR[t - 1]
        lines.append(f"| {t} | {a} | {b} | {LSTM_1K[t - 1]} | {memn2n:.1f} | {c} |")
    for name, title in SWEEPS:
        r = res[name]
        if len(r) == 20:
            err = sum(100 - v[0] for v in r.values()) / 20
            passed = sum(v[0] >= 95 for v in r.values())
            beats = sum(r[t][0] > LSTM_1K[t - 1] for t in r)
            seeds = sorted({v[2] for v in r.values()})
            line = (
                f"\n{title[0].upper() + title[1:]}: mean error {err:.1f}%, {passed} of 20 tasks"
                f" >= 95% (mean; seeds per task: {', '.join(map(str, seeds))})"
            )
            if name != "10k":
                line += f", above the LSTM baseline on {beats} of 20 tasks"
            lines.append(line + ".")
    lines.append(
        "\nPublished means: LSTM 1k 49.2% accuracy (50.8% error); MemN2N 1k 12.4% error, "
        "10k 4.2% error."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = table()
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write(text)
    print(text, end="")
