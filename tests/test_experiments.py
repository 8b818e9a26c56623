"""The experiment scripts run on tiny data and report what they measured."""

import csv
import os

import pytest

from experiments import classical_baselines, fsdd_baseline
from experiments.babi import report
from tests.tasks.test_classify import dataset, tiny


def test_classical_baselines_on_generated_sentences(tmp_path):
    rows = classical_baselines.run(tiny(dataset(tmp_path / "data")), jobs=1)
    names = [r["model"] for r in rows]
    assert names[0] == "majority class" and len(rows) == 4
    assert all(r["test"] > 0.9 for r in rows[1:]), rows  # a cue word decides the label
    assert 0.3 < rows[0]["test"] < 0.7
    table = classical_baselines.table(rows)
    assert table.count("\n") == 6 and "TF-IDF + linear SVM" in table


def test_fsdd_baselines_on_synthesized_digits(tmp_path):
    pytest.importorskip("soundfile")
    from configs import fsdd_digits
    from lstm_jax.data.toy_speech import recordings

    c = fsdd_digits.get_config()
    c.data.dir = recordings(tmp_path / "rec", digits=4, per=10)
    c.data.test_rule, c.data.valid_rule = "index=0-2", "index=3-4"
    table = fsdd_baseline.run(c, num_mfcc=8)
    rows = [line for line in table.splitlines() if line.startswith("| MFCC")]
    assert len(rows) == 2  # logistic regression and the SVM, each with its test accuracy
    assert all(float(r.split("|")[4].strip(" %")) > 90 for r in rows), table
    c.data.connected = True
    with pytest.raises(SystemExit, match="isolated clips"):
        fsdd_baseline.run(c)


def test_classical_baselines_by_training_size(tmp_path):
    config = tiny(dataset(tmp_path / "data"))
    md = classical_baselines.size_table(config, [100], [0, 1], jobs=1, forest=False)
    lines = md.splitlines()
    assert len(lines) == 2 + 3 and lines[3].startswith("| 100 | TF-IDF + logistic regression | 2 |")


SWEEP = """
CONFIG = "configs/adding.py"
SEEDS = [0]
METRICS = ["mse"]
PLOT = {"x": "data.length", "series": "model.cell", "metric": "mse"}
TINY = {"num_train_steps": 20, "eval_every": 10, "checkpoint_every": 20, "log_every": 10,
        "batch_size": 16, "model.hidden_features": 8}


def sweep(add):
    for cell in ["lstm", "gru"]:
        add(**{"model.cell": cell, "data.length": 10}, **TINY)
"""


def test_sweep_runs_skips_finished_runs_and_collects(tmp_path, capsys):
    from experiments import sweep

    study = tmp_path / "study"
    study.mkdir()
    (study / "sweep.py").write_text(SWEEP)
    root = str(tmp_path / "runs")
    args = [str(study / "sweep.py"), f"--root={root}"]
    assert sweep.main([*args, "--shard=1/2"]) == 0  # run 1 of 0 and 1
    assert "1 runs in this shard, 0 already finished" in capsys.readouterr().out
    assert sweep.main([*args, "--parallel=2"]) == 0
    assert "2 runs in this shard, 1 already finished" in capsys.readouterr().out
    with open(study / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["cell"] if "cell" in r else r["model.cell"] for r in rows] == ["lstm", "gru"]
    assert all(r["seeds"] == "1" and float(r["mse_mean"]) >= 0 for r in rows)
    assert (study / "results.png").stat().st_size > 1000
    assert "| model.cell |" in (study / "results.md").read_text()
    names = sorted(os.listdir(root))
    assert names[0].startswith("cell=gru,length=10,") and names[0].endswith("seed=0")


def test_a_point_may_name_its_own_seeds(tmp_path):
    from experiments import sweep

    (tmp_path / "s.py").write_text(
        'CONFIG = "configs/adding.py"\nSEEDS = [0, 1, 2]\n'
        "def sweep(add):\n    add(**{'data.length': 5})\n    add(**{'data.length': 6}, seeds=[7])\n"
    )
    rs = sweep.runs(sweep.load_sweep(str(tmp_path / "s.py")), str(tmp_path / "r"))
    assert [(r["overrides"]["data.length"], r["seed"]) for r in rs] == [
        (5, 0),
        (5, 1),
        (5, 2),
        (6, 7),
    ]
    assert "--config.seed=7" in rs[-1]["cmd"] and not any("seeds" in a for a in rs[-1]["cmd"])


def test_babi_reader_is_chosen_per_task_on_validation_never_on_test():
    # task -> (test %, std, seeds, best valid %)
    default = {1: (90.0, 1.0, 3, 80.0), 2: (50.0, 1.0, 3, 70.0), 3: (70.0, 1.0, 3, 60.0)}
    adjacent = {1: (99.0, 1.0, 3, 80.0), 2: (10.0, 1.0, 3, 71.0), 3: (20.0, 1.0, 3, 50.0), 4: ()}
    picked = report.chosen([("D", default), ("A", adjacent)])
    assert picked == {
        1: (90.0, 1.0, 3, 80.0, "D"),  # a tie keeps the default, whatever the test says
        2: (10.0, 1.0, 3, 71.0, "A"),  # higher validation wins, however it does on test
        3: (70.0, 1.0, 3, 60.0, "D"),
    }
    story = {1: (95.0, 1.0, 3, 80.0), 2: (5.0, 1.0, 3, 75.0), 3: (80.0, 1.0, 3, 60.0)}
    picked = report.chosen([("D", default), ("A", adjacent), ("S", story), ("X", {})])
    assert [picked[t][4] for t in (1, 2, 3)] == ["D", "S", "D"]  # ties keep the earlier
    # a reader run on some tasks only competes on those
    picked = report.chosen([("D", default), ("A", adjacent), ("S", {3: (99.0, 0.0, 3, 65.0)})])
    assert [picked[t][4] for t in (1, 2, 3)] == ["D", "A", "S"]
