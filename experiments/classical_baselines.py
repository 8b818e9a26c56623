"""Classical text classifiers on a ``classify`` config's exact splits and tokens.

    python -m experiments.classical_baselines --config=configs/sst2.py \
        --out=experiments/results/sst2_baselines.md
    # learning curve: random subsets drawn as the LSTM's data.train_limit draws them
    python -m experiments.classical_baselines --config=configs/sst2.py --noforest \
        --sizes=1000,10000 --seeds=0,1,2 --out=experiments/sst2_baselines/sizes.md

TF-IDF over word uni- and bigrams (sublinear tf), then logistic regression, a linear
SVM and a random forest (scikit-learn). Each model's one hyperparameter is picked on
the validation split from a small grid; the test split is scored once, with that pick.
Needs the ``baselines`` extra (scikit-learn).
"""

from __future__ import annotations

import sys
import time

from absl import app, flags
from ml_collections import config_flags

from lstm_jax.data.classification import limit_train, read_splits
from lstm_jax.data.tokenizers import Tokenizer
from lstm_jax.tasks.classify import confusion_summary

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file("config", None, "A classify config.", lock_config=True)
flags.DEFINE_string("out", None, "Write the table to this Markdown file too.")
flags.DEFINE_integer("jobs", 2, "Parallel jobs for the random forest.")
flags.DEFINE_bool("forest", True, "Fit the random forest too (minutes on all of SST-2).")
flags.DEFINE_list("sizes", [], "Training-set sizes (data.train_limit) to tabulate.")
flags.DEFINE_list("seeds", ["0"], "Seeds of the subsets, with --sizes: mean and std over them.")
flags.mark_flags_as_required(["config"])


def models(jobs: int, forest: bool = True):
    """name -> (hyperparameter name, grid, build(value))."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    out = {
        "TF-IDF + logistic regression": (
            "C",
            [0.3, 1, 3, 10],
            lambda v: LogisticRegression(C=v, max_iter=2000),
        ),
        "TF-IDF + linear SVM": ("C", [0.03, 0.1, 0.3, 1], lambda v: LinearSVC(C=v)),
        "TF-IDF + random forest (200 trees)": (
            "min_samples_leaf",
            [1],  # one setting: a forest on 67k sparse documents takes minutes per fit
            lambda v: RandomForestClassifier(200, min_samples_leaf=v, n_jobs=jobs, random_state=0),
        ),
    }
    if not forest:
        out.pop("TF-IDF + random forest (200 trees)")
    return out


def run(config, jobs: int, forest: bool = True) -> list[dict]:
    """The table's rows, on the config's splits (``data.train_limit``: the LSTM's subset)."""
    import tempfile

    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import confusion_matrix

    d = config.data
    # a one-set layout is cut as the LSTM's run cuts it (same seed and fractions)
    examples, _, _ = read_splits(d, config.seed, tempfile.mkdtemp())
    examples = limit_train(examples, d.train_limit, config.seed)
    tok = Tokenizer("word" if d.tokenizer == "sentencepiece" else d.tokenizer, d.lowercase, "", [])
    texts = {s: [t for t, _ in ex] for s, ex in examples.items()}
    y = {s: np.array([label for _, label in ex]) for s, ex in examples.items()}
    vec = TfidfVectorizer(
        tokenizer=tok, lowercase=False, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True
    )
    x = {"train": vec.fit_transform(texts["train"])}
    x.update({s: vec.transform(texts[s]) for s in ("valid", "test")})
    classes = list(range(len(d.class_names.split(","))))
    rows = []
    majority = np.bincount(y["train"]).argmax()
    rows.append(
        {
            "model": "majority class",
            "pick": "",
            "valid": float(np.mean(y["valid"] == majority)),
            "test": float(np.mean(y["test"] == majority)),
            "test_macro_f1": confusion_summary(
                confusion_matrix(y["test"], np.full_like(y["test"], majority), labels=classes)
            )["macro_f1"],
            "seconds": 0.0,
        }
    )
    for name, (hp, grid, build) in models(jobs, forest).items():
        start = time.time()
        best = None
        for v in grid:
            model = build(v).fit(x["train"], y["train"])
            acc = float(np.mean(model.predict(x["valid"]) == y["valid"]))
            if best is None or acc > best[0]:
                best = (acc, v, model)
        acc, v, model = best
        pred = model.predict(x["test"])
        summary = confusion_summary(confusion_matrix(y["test"], pred, labels=classes))
        rows.append(
            {
                "model": name,
                "pick": f"{hp}={v}",
                "valid": acc,
                "test": summary["accuracy"],
                "test_macro_f1": summary["macro_f1"],
                "seconds": time.time() - start,
            }
        )
        print(f"{name}: valid {acc:.4f}, test {summary['accuracy']:.4f}", flush=True)
    return rows


def table(rows: list[dict]) -> str:
    out = [
        "| model | picked on valid | valid acc | test acc | test macro-F1 | fit s (whole grid) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['model']} | {r['pick']} | {r['valid']:.2%} | {r['test']:.2%} "
            f"| {r['test_macro_f1']:.4f} | {r['seconds']:.0f} |"
        )
    return "\n".join(out) + "\n"


def size_table(config, sizes: list[int], seeds: list[int], jobs: int, forest: bool) -> str:
    """Test accuracy by training-set size, mean and std over the subsets' seeds."""
    import numpy as np

    out = ["| train size | model | seeds | valid acc | test acc |", "|---:|---|---:|---:|---:|"]
    for size in sizes:
        runs = []
        for seed in seeds:
            c = config.copy_and_resolve_references()
            c.data.train_limit, c.seed = size, seed
            runs.append(run(c, jobs, forest))
        for i, r in enumerate(runs[0]):
            v = [rows[i]["valid"] for rows in runs]
            t = [rows[i]["test"] for rows in runs]
            out.append(
                f"| {size} | {r['model']} | {len(seeds)} | {np.mean(v):.2%} ± {np.std(v):.2%} "
                f"| {np.mean(t):.2%} ± {np.std(t):.2%} |"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.sizes:
        sizes, seeds = [int(x) for x in FLAGS.sizes], [int(x) for x in FLAGS.seeds]
        md = size_table(FLAGS.config, sizes, seeds, FLAGS.jobs, FLAGS.forest)
    else:
        md = table(run(FLAGS.config, FLAGS.jobs, FLAGS.forest))
    sys.stdout.write(md)
    if FLAGS.out:
        with open(FLAGS.out, "w") as f:
            f.write(md)


if __name__ == "__main__":
    app.run(main)
