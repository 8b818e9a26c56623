"""The experiment scripts run on tiny data and report what they measured."""

from experiments import classical_baselines
from tests.tasks.test_classification import dataset, tiny


def test_classical_baselines_on_generated_sentences(tmp_path):
    rows = classical_baselines.run(tiny(dataset(tmp_path / "data")), jobs=1)
    names = [r["model"] for r in rows]
    assert names[0] == "majority class" and len(rows) == 4
    assert all(r["test"] > 0.9 for r in rows[1:]), rows  # a cue word decides the label
    assert 0.3 < rows[0]["test"] < 0.7
    table = classical_baselines.table(rows)
    assert table.count("\n") == 6 and "TF-IDF + linear SVM" in table
