"""experiments/word2vec.py: each input kind read, the same file on every run, a file
config.data.vectors loads, and a missing input as a one-line error."""

import io
import tarfile

import pytest

pytest.importorskip("gensim")

from experiments import word2vec
from lstm_jax.data.word_vectors import load_vectors


def write_inputs(tmp_path):
    reviews = tmp_path / "reviews.tar.gz"
    with tarfile.open(reviews, "w:gz") as tar:
        for name, text in [("pos/b.txt", "A Good film .\n\nfun\n"), ("neg/a.txt", "dull\n")]:
            data = text.encode()
            info = tarfile.TarInfo(f"txt_sentoken/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("README")  # not a .txt member: skipped
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    trees = tmp_path / "train.txt"
    trees.write_text("(3 (2 The) (4 (4 good) (2 (2 -LRB-) (2 film))))\n")
    plain = tmp_path / "plain.txt"
    plain.write_text("the good film\nthe bad film\n" * 200)
    return reviews, trees, plain


def test_inputs_by_kind(tmp_path):
    reviews, trees, plain = write_inputs(tmp_path)
    # members in name order, blank lines dropped, lower-cased
    assert word2vec.sentences(str(reviews)) == [["dull"], ["a", "good", "film", "."], ["fun"]]
    # a tree gives its root sentence once, PTB escapes undone
    assert word2vec.sentences(str(trees)) == [["the", "good", "(", "film"]]
    assert word2vec.sentences(str(trees), lowercase=False) == [["The", "good", "(", "film"]]
    assert len(word2vec.sentences(str(plain))) == 400


def test_the_same_vectors_every_run_and_the_config_loads_them(tmp_path):
    _, trees, plain = write_inputs(tmp_path)
    args = ["--text", str(plain), "--text", str(trees), "--dim=8", "--epochs=2", "--min-count=1"]
    for name in ("a.txt", "b.txt"):
        assert word2vec.main([*args, f"--out={tmp_path / name}"]) == 0
    first = (tmp_path / "a.txt").read_bytes()
    assert first == (tmp_path / "b.txt").read_bytes()
    assert first.startswith(b"5 8\n")  # the, good, film, bad, (: word2vec's header
    assert not list(tmp_path.glob("*.partial"))
    table, found = load_vectors(str(tmp_path / "a.txt"), ["<pad>", "Good", "zebra", "film"], 8)
    assert table.shape == (4, 8) and found == 2  # Good by its lower case


def test_a_missing_input_is_one_line(tmp_path):
    with pytest.raises(SystemExit, match=r"^error: --text '.*nope.txt' does not exist;"):
        word2vec.main([f"--out={tmp_path / 'v.txt'}", f"--text={tmp_path / 'nope.txt'}"])
    assert not (tmp_path / "v.txt").exists()
