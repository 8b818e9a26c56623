"""Classical isolated-digit baselines on a ``speech`` config's exact split and features.

    python -m experiments.fsdd_baseline --config=configs/fsdd_digits.py \
        --out=experiments/results/fsdd_baseline.md

Each recording becomes one vector: the mean and standard deviation over time of its
MFCCs (``--num_mfcc``, the config's framing), standardized on the training split. Then
logistic regression and an RBF-kernel SVM (scikit-learn), each with its ``C`` picked on
the validation split from a small grid; the test split is scored once, with that pick.
This is the "traditional" pipeline the LSTM is compared with (the ``baselines`` and
``audio`` extras).
"""

from __future__ import annotations

import time

import numpy as np
from absl import app, flags
from ml_collections import config_flags

from lstm_jax.data import audio, speech
from lstm_jax.data.audio_features import features

FLAGS = flags.FLAGS


def vectors(clips: list[audio.Clip], d, num_mfcc: int) -> tuple[np.ndarray, list[str]]:
    """float32[clips, 2 * num_mfcc] (mean and std over frames) and each clip's transcript."""
    rows, labels = [], []
    for c in clips:
        wave, _ = audio.read_audio(c.path, d.sample_rate)
        m = features(wave, d.sample_rate, "mfcc", d.num_mels, num_mfcc, d.window_ms, d.hop_ms)
        rows.append(np.concatenate([m.mean(0), m.std(0)]))
        labels.append(speech.spell(c.text) if d.spell_digits else c.text)
    return np.stack(rows), labels


def models():
    """name -> (grid of C, build(C))."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    return {
        "MFCC mean/std + logistic regression": (
            [0.1, 1, 10, 100],
            lambda v: LogisticRegression(C=v, max_iter=5000),
        ),
        "MFCC mean/std + RBF SVM": ([1, 10, 100], lambda v: SVC(C=v, gamma="scale")),
    }


def run(config, num_mfcc: int = 20) -> str:
    """The baselines' Markdown table for an isolated-word ``speech`` config."""
    from sklearn.preprocessing import StandardScaler

    d = config.data
    if d.connected:
        raise SystemExit(
            "error: the classical baselines classify isolated clips: set data.connected=False"
        )
    clips = speech.list_clips(d)
    start = time.perf_counter()
    x, y = {}, {}
    for split in speech.SPLITS:
        x[split], y[split] = vectors(clips[split], d, num_mfcc)
    scaler = StandardScaler().fit(x["train"])
    x = {s: scaler.transform(v) for s, v in x.items()}
    lines = [
        f"Isolated digits, split {d.test_rule} test / {d.valid_rule} valid "
        f"({len(y['train'])} / {len(y['valid'])} / {len(y['test'])} clips), "
        f"{num_mfcc} MFCCs, C picked on valid:",
        "",
        "| model | C | valid accuracy | test accuracy | seconds |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (grid, build) in models().items():
        t0 = time.perf_counter()
        scored = []
        for c in grid:
            fitted = build(c).fit(x["train"], y["train"])
            scored.append((np.mean(fitted.predict(x["valid"]) == y["valid"]), c, fitted))
        valid, c, best = max(scored, key=lambda s: s[0])  # the first of equal scores
        test = np.mean(best.predict(x["test"]) == y["test"])
        secs = time.perf_counter() - t0
        lines.append(f"| {name} | {c} | {valid:.2%} | {test:.2%} | {secs:.1f} |")
    lines += ["", f"Wall time, features and fits: {time.perf_counter() - start:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv):
    table = run(FLAGS.config, FLAGS.num_mfcc)
    print(table, end="")
    if FLAGS.out:
        with open(FLAGS.out, "w") as f:
            f.write(table)


if __name__ == "__main__":  # flags defined here: tests import run() beside other scripts
    config_flags.DEFINE_config_file("config", None, "An isolated-word speech config.")
    flags.DEFINE_integer("num_mfcc", 20, "MFCCs per frame.")
    flags.DEFINE_string("out", None, "Write the table to this Markdown file too.")
    flags.mark_flags_as_required(["config"])
    app.run(main)
