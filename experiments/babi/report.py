"""The bAbI per-task table: ours (mean and std over seeds, from the sweeps' results.csv)
beside Weston et al.'s LSTM baseline and MemN2N, with the mean error and tasks passed.

    python -m experiments.babi.report     # writes experiments/babi/results.md

Ours: the sweeps' results.csv in 1k/, 1k_adjacent/ (configs/babi.py:adjacent), 1k_story/
(configs/babi.py:story), 10k/, 10k_adjacent/, 10k_story/, 10k_forward/ (:story in one
direction, 30 epochs, seven tasks) and 10k_forward_60/ (the same, 60 epochs, task 19).

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


def ours(set_name: str) -> dict[int, tuple[float, float, int, float]]:
    """task -> (mean test accuracy %, std, seeds, mean best validation accuracy %) from
    ``<set>/results.csv``, if it exists."""
    path = os.path.join(HERE, set_name, "results.csv")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        std = float(r["accuracy_std"] or 0)
        valid = 100 * float(r.get("valid_accuracy_best_mean") or "nan")
        out[int(r["data.task"])] = (
            100 * float(r["accuracy_mean"]),
            100 * std,
            int(r["seeds"]),
            valid,
        )
    return out


def chosen(readers: list[tuple[str, dict]]) -> dict[int, tuple[float, float, int, float, str]]:
    """readers: [(letter, task -> result)], the default first. For each task the default
    ran, the reader with the highest mean best validation accuracy (the checkpoint test
    reads) among those that ran it, a tie keeping the earlier reader; test accuracy never
    enters the choice. The last field names the reader."""
    readers = [(name, r) for name, r in readers if r]
    out = {}
    for t in sorted(readers[0][1]) if readers else []:
        ran = [(name, r) for name, r in readers if t in r]
        name, r = max(ran, key=lambda reader: reader[1][t][3])  # max keeps the first
        out[t] = (*r[t], name)
    return out


# sweep folders beside this file, their column names and letters; the 1k ones face the LSTM
# baseline, and the published 1k columns stand between the 1k and the 10k ones. Each set
# also gets a column with the reader chosen per task on validation (a hyperparameter, as
# any other), among the readers whose sweeps have results.
SWEEPS = {
    "1k": [
        ("1k", "ours 1k", "D"),
        ("1k_adjacent", "ours 1k, :adjacent", "A"),
        ("1k_story", "ours 1k, :story", "S"),
    ],
    "10k": [
        ("10k", "ours 10k", "D"),
        ("10k_adjacent", "ours 10k, :adjacent", "A"),
        ("10k_story", "ours 10k, :story", "S"),
        ("10k_forward", "ours 10k, :story one direction, 30 epochs", "F"),
        ("10k_forward_60", "ours 10k, :story one direction, 60 epochs", "L"),
    ],
}


def columns() -> dict[str, list[tuple[str, dict]]]:
    """set -> [(title, task -> result)]: each reader, then the one chosen per task."""
    out = {}
    for set_name, sweeps in SWEEPS.items():
        results = [(title, letter, ours(name)) for name, title, letter in sweeps]
        picked = chosen([(letter, r) for _, letter, r in results])
        out[set_name] = [(title, r) for title, _, r in results]
        out[set_name].append((f"ours {set_name}, reader chosen on validation", picked))
    return out


def table() -> str:
    cols = columns()
    heads = [f"{t} (mean ± std)" for t, _ in cols["1k"]]
    heads += ["LSTM 1k (Weston et al.)", "MemN2N 1k"]
    heads += [f"{t} (mean ± std)" for t, _ in cols["10k"]]
    lines = ["| task | " + " | ".join(heads) + " |", "|---:" * (len(heads) + 1) + "|"]

    def cell(r, t):
        if t not in r:
            return "not run"
        mean, std, seeds = r[t][:3]
        text = f"{mean:.1f} ± {std:.1f}" if seeds > 1 else f"{mean:.1f} (1 seed)"
        return text + (f" {r[t][4]}" if len(r[t]) > 4 else "")

    for t in range(1, 21):
        cells = [cell(r, t) for _, r in cols["1k"]]
        cells += [str(LSTM_1K[t - 1]), f"{100 - MEMN2N_1K_ERROR[t - 1]:.1f}"]
        cells += [cell(r, t) for _, r in cols["10k"]]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    # the legend from SWEEPS itself, so a reader added there cannot go missing here; a
    # title without a variant after its comma ("ours 10k") is the default reader
    legend = {letter: title.split(", ", 1)[-1] for s in SWEEPS.values() for _, title, letter in s}
    legend = "; ".join(f"{k}: {v if ':' in v else 'configs/babi.py'}" for k, v in legend.items())
    lines.append(f"\nThe reader chosen on validation: {legend}.")
    for set_name, res in cols.items():
        for title, r in res:
            if len(r) < 20:
                continue
            err = sum(100 - v[0] for v in r.values()) / 20
            passed = sum(v[0] >= 95 for v in r.values())
            beats = sum(r[t][0] > LSTM_1K[t - 1] for t in r)
            seeds = sorted({v[2] for v in r.values()})
            line = (
                f"\n{title[0].upper() + title[1:]}: mean error {err:.1f}%, {passed} of 20 tasks"
                f" >= 95% (mean; seeds per task: {', '.join(map(str, seeds))})"
            )
            if set_name == "1k":
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
