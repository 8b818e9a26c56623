"""Corpora, tokenizers, vocabularies and truncated-BPTT windows."""

import numpy as np
import pytest

from lstm_jax.data import batching, lm_stream, text
from lstm_jax.errors import CheckpointError, ConfigError, DataError


def test_word_tokens_follow_the_pytorch_example():
    assert text.tokenize("a b\n\nc <unk>\n", "word") == [
        "a",
        "b",
        "<eos>",
        "<eos>",
        "c",
        "<unk>",
        "<eos>",
    ]
    assert text.tokenize("ab\nc", "char") == ["a", "b", "\n", "c"]


def test_vocab_round_trip(tmp_path):
    toks = [*text.tokenize("the cat <unk>\nthe dog \" ' ok\n", "word"), "\n", " "]
    v = text.Vocab.build(toks)
    assert v.itos[0] == "the" and text.UNK in v.stoi
    v.save(str(tmp_path / "v.jsonl"))
    w = text.Vocab.load(str(tmp_path / "v.jsonl"))
    assert w == v and w.itos == v.itos
    ids, oov = w.encode(["the", "zebra", "\n"])
    assert oov == 1 and w.itos[ids[1]] == text.UNK and w.itos[ids[2]] == "\n"
    assert w.decode(w.encode(["the", "cat", "<eos>", "ok"])[0], "word") == "the cat\nok"


def test_vocab_caps_and_min_count():
    toks = list("aaaabbbccd")
    assert text.Vocab.build(toks).itos == ["a", "b", "c", "d", text.UNK]
    assert text.Vocab.build(toks, max_size=3).itos == ["a", "b", text.UNK]
    assert text.Vocab.build(toks, min_count=2).itos == ["a", "b", "c", text.UNK]
    assert text.Vocab.build([*toks, text.UNK, text.UNK], max_size=2).itos == ["a", text.UNK]


def test_vocab_mismatch_is_a_checkpoint_error():
    with pytest.raises(CheckpointError, match="does not match"):
        text.check_vocab(text.Vocab(["a", "b"]), text.Vocab(["a", "c"]), "w/vocab.jsonl")


def test_bad_files_name_the_problem(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        text.read_text(str(tmp_path / "nope.txt"))
    (tmp_path / "empty.txt").write_text("  \n")
    with pytest.raises(DataError, match=r"empty.txt.*is empty"):
        text.read_text(str(tmp_path / "empty.txt"))
    (tmp_path / "latin1.txt").write_bytes("ok\nfine\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1\.txt' line 3 is not UTF-8"):
        text.read_text(str(tmp_path / "latin1.txt"))


def test_split_chars():
    parts = text.split_chars("abcdefghij", [0.8, 0.1, 0.1])
    assert parts == {"train": "abcdefgh", "valid": "i", "test": "j"}
    with pytest.raises(ConfigError, match="three positive fractions"):
        text.split_chars("abc", [0.5, 0.5])


def test_windows_cover_each_stream_in_order():
    ids = np.arange(103, dtype=np.int32)
    windows = lm_stream.Windows(ids, 4, 5, seed=0)
    it = batching.iterate(windows.dataset())
    data = lm_stream.batchify(ids, 4)  # [4, 25]: stream b is ids[25b : 25b + 25]
    assert data[1, 0] == 25
    got = [next(it) for _ in range(lm_stream.steps_per_epoch(103, 4, 5))]
    inputs = np.concatenate([b["inputs"] for b in got], 1)
    targets = np.concatenate([b["targets"] for b in got], 1)
    np.testing.assert_array_equal(inputs, data[:, :20])
    np.testing.assert_array_equal(targets, data[:, 1:21])
    assert [b["reset"][0] for b in got] == [1.0, 0.0, 0.0, 0.0]
    again = next(it)  # a new epoch starts from the beginning with a reset
    assert again["reset"][0] == 1.0 and again["inputs"][0, 0] == 0
    assert windows.epoch_start(1) == 4


def test_random_bptt_is_bucketed_and_resumable():
    ids = np.arange(20_000, dtype=np.int32)
    make = lambda: lm_stream.Windows(ids, 4, 70, seed=3, random_length=True)
    it = batching.iterate(make().dataset())
    lengths = [next(it)["inputs"].shape[1] for _ in range(40)]
    assert all(n % 5 == 0 for n in lengths) and len(set(lengths)) > 2
    assert 60 <= np.median(lengths) <= 75
    it2 = batching.iterate(make().dataset())
    for _ in range(20):
        next(it2)
    it3 = batching.iterate(make().dataset())
    it3.set_state(it2.get_state())
    assert [next(it3)["inputs"].shape[1] for _ in range(20)] == lengths[20:]
    b = next(it3)
    np.testing.assert_allclose(b["update_scale"], b["inputs"].shape[1] / 70)
    # epochs differ in length; the stream still starts each one with a reset window
    w = make()
    starts = [w.epoch_start(e) for e in range(4)]
    assert len(set(np.diff(starts))) > 1 or starts[1] > 0
    assert all(w.window(s)["reset"][0] == 1.0 for s in starts)
    assert w.window(starts[2] - 1)["reset"][0] == 0.0


def test_eval_windows_pad_the_last_one():
    ids = np.arange(12, dtype=np.int32)
    batches = list(lm_stream.eval_windows(ids, 1, 5, "test"))
    assert len(batches) == 3  # 11 predictions: 5 + 5 + 1
    assert batches[-1]["weights"].sum() == 1 and batches[-1]["targets"][0, 0] == 11
    assert sum(b["weights"].sum() for b in batches) == 11


def test_bptt_longer_than_the_split():
    with pytest.raises(ConfigError, match="bptt=50 is longer"):
        lm_stream.Windows(np.arange(100, dtype=np.int32), 4, 50, seed=0)
    with pytest.raises(ConfigError, match="too few"):
        lm_stream.batchify(np.arange(3, dtype=np.int32), 4)
