"""Parallel text: aligned files, tab-separated pairs, and the errors for bad input."""

import gzip

import pytest

from lstm_jax.data.parallel import read_pairs
from lstm_jax.errors import DataError


def test_two_files_gzip_and_pairs_file(tmp_path):
    (tmp_path / "a.de.gz").write_bytes(gzip.compress(b"Ein Hund.\nZwei Katzen.\n"))
    (tmp_path / "a.en").write_text("A dog.\nTwo cats.\n")
    pairs, skipped = read_pairs(str(tmp_path / "a.de.gz"), str(tmp_path / "a.en"))
    assert pairs == [("Ein Hund.", "A dog."), ("Zwei Katzen.", "Two cats.")] and skipped == 0
    (tmp_path / "p.tsv").write_text("Go.\tVa !\tCC-BY attribution\nHi.\tSalut.\n")
    assert read_pairs(str(tmp_path / "p.tsv"))[0] == [("Go.", "Va !"), ("Hi.", "Salut.")]


def test_bad_parallel_input(tmp_path):
    (tmp_path / "s.txt").write_text("a\nb\nc\n")
    (tmp_path / "t.txt").write_text("x\ny\n")
    with pytest.raises(DataError, match=r"s.txt' has 3 lines but .*t.txt' has 2"):
        read_pairs(str(tmp_path / "s.txt"), str(tmp_path / "t.txt"))
    (tmp_path / "t2.txt").write_text("x\n\nz\n")
    pairs, skipped = read_pairs(str(tmp_path / "s.txt"), str(tmp_path / "t2.txt"))
    assert pairs == [("a", "x"), ("c", "z")] and skipped == 1
    (tmp_path / "p.tsv").write_text("Go.\tVa !\nno tab here\n")
    with pytest.raises(DataError, match=r"p.tsv:2: 1 column\(s\), but data.source_column"):
        read_pairs(str(tmp_path / "p.tsv"))
