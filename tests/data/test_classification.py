"""Readers for labelled text, length bucketing and pretrained vectors."""

import gzip

import numpy as np
import pytest

from lstm_jax.data import batching
from lstm_jax.data import classification as cd
from lstm_jax.data.word_vectors import load_vectors
from lstm_jax.errors import DataError

NAMES = ["negative", "positive"]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_tsv_and_csv_with_ids_or_names(tmp_path):
    tsv = write(tmp_path / "a.tsv", "sentence\tlabel\nit 's \" good\t1\nbad\t0\n")
    assert cd.read_table(tsv, "sentence", "label", NAMES) == (
        [("it 's \" good", 1), ("bad", 0)],
        0,
    )
    csv = write(tmp_path / "a.csv", 'review,sentiment\n"fine, really",positive\nmeh,negative\n')
    assert cd.read_table(csv, "review", "sentiment", NAMES)[0] == [
        ("fine, really", 1),
        ("meh", 0),
    ]


def test_table_errors_name_the_problem(tmp_path):
    tsv = write(tmp_path / "a.tsv", "text\tlabel\ngood\t1\n")
    with pytest.raises(DataError, match=r"no column 'sentence'.*header: \['text', 'label'\]"):
        cd.read_table(tsv, "sentence", "label", NAMES)
    bad = write(tmp_path / "b.tsv", "sentence\tlabel\ngood\t1\nbad\t7\n")
    with pytest.raises(DataError, match=r"b.tsv:3: label '7' is not one of the 2 classes"):
        cd.read_table(bad, "sentence", "label", NAMES)
    mixed = write(tmp_path / "c.tsv", "sentence\tlabel\ngood\t1\nbad,0\n")
    with pytest.raises(DataError, match=r"c.tsv:3: 1 fields.*mixed delimiters"):
        cd.read_table(mixed, "sentence", "label", NAMES)
    with pytest.raises(DataError, match="does not exist"):
        cd.read_table(str(tmp_path / "none.tsv"), "sentence", "label", NAMES)
    (tmp_path / "latin1.tsv").write_bytes(b"sentence\tlabel\ncaf\xe9\t1\n")
    with pytest.raises(DataError, match="line 2 is not UTF-8"):
        cd.read_table(str(tmp_path / "latin1.tsv"), "sentence", "label", NAMES)


def test_empty_texts_are_skipped_and_counted(tmp_path):
    tsv = write(tmp_path / "a.tsv", "sentence\tlabel\ngood\t1\n  \t0\nbad\t0\n")
    examples, skipped = cd.read_table(tsv, "sentence", "label", NAMES)
    assert examples == [("good", 1), ("bad", 0)] and skipped == 1


TREES = "(3 (2 -LRB-) (4 (4 good) (2 film)))\n(2 (2 a) (2 film))\n(0 (1 bad) (2 film))\n"


def test_sst_trees_two_and_five_classes(tmp_path):
    path = write(tmp_path / "trees.txt", TREES)
    assert cd.looks_like_trees(path)
    five, dropped = cd.read_sst_trees(path, 5)
    assert five == [("( good film", 3), ("a film", 2), ("bad film", 0)] and dropped == 0
    two, dropped = cd.read_sst_trees(path, 2)
    assert two == [("( good film", 1), ("bad film", 0)] and dropped == 1
    phrases, _ = cd.read_sst_trees(path, 5, phrases=True)
    texts = [t for t, _ in phrases]
    assert len(texts) == len(set(texts)) and ("good film", 4) in phrases and ("bad", 1) in phrases
    bad = write(tmp_path / "bad.txt", "(3 (2 a) (4 b)\n")
    with pytest.raises(DataError, match=r"bad.txt:1: unbalanced"):
        cd.read_sst_trees(bad, 2)
    label = write(tmp_path / "label.txt", "(3 (7 a) (4 b))\n")
    with pytest.raises(DataError, match=r"label.txt:1: SST label 7 is outside 0-4"):
        cd.read_sst_trees(label, 5)
    twice = write(tmp_path / "twice.txt", TREES + TREES)  # repeated sentences are all kept
    assert len(cd.read_sst_trees(twice, 5)[0]) == 6


def test_gzip_tables(tmp_path):
    path = tmp_path / "a.tsv.gz"
    path.write_bytes(gzip.compress(b"sentence\tlabel\ngood\t1\n"))
    assert cd.read_table(str(path), "sentence", "label", NAMES)[0] == [("good", 1)]


def test_bucketing_yields_every_example_once_per_epoch_and_resumes():
    lengths = np.random.default_rng(0).integers(1, 40, 203)
    ds = batching.bucketed(lengths, 16, seed=3, make_batch=lambda i: i, pool=4)
    per_epoch = batching.steps(203, 16)
    assert per_epoch == 13
    it = batching.iterate(ds)
    for _ in range(2):  # two epochs, each a permutation of all examples
        seen = np.concatenate([next(it) for _ in range(per_epoch)])
        assert sorted(seen[seen >= 0]) == list(range(203)) and (seen < 0).sum() == 5
    # batches are bucketed: far less padding than random batches
    batch = next(it)
    spread = np.ptp(lengths[batch[batch >= 0]])
    assert spread < 15
    state = it.get_state()  # grain's state: the next batch's index
    assert state["next_index"] == 2 * per_epoch + 1
    ahead = [next(it) for _ in range(20)]
    again = batching.iterate(batching.bucketed(lengths, 16, 3, lambda i: i, pool=4))
    again.set_state(state)
    np.testing.assert_array_equal(np.stack(ahead), np.stack([next(again) for _ in range(20)]))


def test_pad_and_fixed_batches():
    seqs = [np.array([5, 6, 7]), np.array([8]), np.arange(1, 11)]
    (first, second) = batching.fixed_batches([len(s) for s in seqs], 2)
    assert list(first) == [1, 0] and list(second) == [2, -1]
    b = batching.pad(seqs, second, multiple=8)
    assert b["tokens"].shape == (2, 16) and list(b["lengths"]) == [10, 1]
    assert list(b["weights"]) == [1.0, 0.0] and b["tokens"][1].sum() == 0


def test_word_vectors(tmp_path):
    path = write(tmp_path / "v.txt", "3 2\nGood 1 2\nbad 3 4\n. . . 7 7\ngood 5 6\nzzz 9 9\n")
    table, found = load_vectors(path, ["good", "bad", "<unk>", ". . ."], 2)
    assert found == 3  # "good" exactly (over the earlier "Good"), "bad", and ". . ."
    np.testing.assert_array_equal(table[[0, 1, 3]], [[5, 6], [3, 4], [7, 7]])
    assert table.shape == (4, 2) and np.all(np.isfinite(table))
    with pytest.raises(DataError, match=r"v.txt:2: a vector of 2 numbers; model.embed is 3"):
        load_vectors(path, ["good"], 3)
