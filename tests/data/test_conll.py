"""CoNLL files, tag-scheme conversions and entity F1 (checked against seqeval)."""

import numpy as np
import pytest

from lstm_jax.data.conll import convert, entity_f1, read_conll, spans
from lstm_jax.errors import DataError

TYPES = ["PER", "LOC", "ORG"]


def random_bio(rng, n):
    """A BIO sequence of n tags with random entities, some directly adjacent."""
    tags, i = [], 0
    while i < n:
        if rng.random() < 0.5:
            tags.append("O")
            i += 1
            continue
        typ, size = rng.choice(TYPES), int(rng.integers(1, 4))
        for j in range(min(size, n - i)):
            tags.append(("B-" if j == 0 else "I-") + typ)
        i += size
    return tags[:n]


def test_schemes_round_trip():
    rng = np.random.default_rng(0)
    for _ in range(200):
        bio = random_bio(rng, int(rng.integers(1, 15)))
        iob1, bioes = convert(bio, "bio", "iob1"), convert(bio, "bio", "bioes")
        assert convert(iob1, "iob1", "bio") == bio and convert(bioes, "bioes", "bio") == bio
        assert spans(iob1) == spans(bio) == spans(bioes)
    assert convert(["B-PER", "B-PER", "I-PER", "O", "B-LOC"], "bio", "iob1") == [
        "I-PER",
        "B-PER",
        "I-PER",
        "O",
        "I-LOC",
    ]
    assert convert(["B-PER", "I-PER", "O", "B-LOC"], "bio", "bioes") == [
        "B-PER",
        "E-PER",
        "O",
        "S-LOC",
    ]


def test_entity_f1_matches_seqeval():
    seqeval = pytest.importorskip("seqeval.metrics")
    rng = np.random.default_rng(1)
    gold = [random_bio(rng, 12) for _ in range(300)]
    noise = ["O", "B-PER", "I-PER", "I-LOC", "B-ORG"]
    pred = [[t if rng.random() > 0.2 else str(rng.choice(noise)) for t in g] for g in gold]
    ours = entity_f1(gold, pred)
    assert ours["precision"] == pytest.approx(seqeval.precision_score(gold, pred))
    assert ours["recall"] == pytest.approx(seqeval.recall_score(gold, pred))
    assert ours["f1"] == pytest.approx(seqeval.f1_score(gold, pred))
    assert entity_f1(gold, gold)["f1"] == 1.0


def test_read_conll_and_bad_lines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP I-PER\n"
    )
    assert read_conll(str(path)) == [(["EU", "rejects"], ["I-ORG", "O"]), (["Peter"], ["I-PER"])]
    bad = tmp_path / "b.txt"
    bad.write_text("EU NNP B-NP I-ORG\nrejects O\n")
    with pytest.raises(DataError, match=r"b.txt:2: 2 columns where the file's lines have 4"):
        read_conll(str(bad))
    with pytest.raises(DataError, match=r"tag 'X-PER' is not O or"):
        spans(["X-PER"])
