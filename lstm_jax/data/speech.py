"""Speech data for CTC: clips -> normalized features, transcripts -> token ids, batches.

Clips come from manifests or a folder by file-name pattern (``audio.py``). With
``data.connected`` each split's recordings are joined into utterances of
``min_words``-``max_words`` clips with random silences between them (seeded by
``data.connected_seed``, so one config always gives the same sets; each split draws only
its own recordings, so train and test never share a recording). Features are
normalized with the training frames' statistics, kept in the workdir.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter

import ml_collections
import numpy as np

from lstm_jax.data import audio, batching, text
from lstm_jax.data.audio_features import Normalizer, features
from lstm_jax.errors import DataError

SPLITS = ("train", "valid", "test")
BLANK = "<blank>"
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TOKENS = ("word", "char")


def spell(transcript: str) -> str:
    """Digits as English words: ``"3 14"`` -> ``"three one four"``; other words kept."""
    words = []
    for w in transcript.split():
        words.extend([DIGITS[int(d)] for d in w] if w.isdigit() and w.isascii() else [w])
    return " ".join(words)


def tokenize(transcript: str, level: str) -> list[str]:
    """Words, or characters with the space between words as a token of its own."""
    return transcript.split() if level == "word" else list(" ".join(transcript.split()))


def join_tokens(tokens: list[str], level: str) -> str:
    return " ".join(tokens) if level == "word" else "".join(tokens)


@dataclasses.dataclass
class Utterance:
    id: str  # the file, or the files joined with "+"
    text: str
    wave: np.ndarray  # float32[samples]


def connected(
    clips: list[audio.Clip],
    waves: dict[str, np.ndarray],
    count: int,
    rng: np.random.Generator,
    d: ml_collections.ConfigDict,
) -> list[Utterance]:
    """``count`` utterances of ``min_words``-``max_words`` clips drawn from ``clips``, with
    silences of ``min_silence_ms``-``max_silence_ms`` before, between and after them."""
    out = []
    for _ in range(count):
        picks = rng.integers(0, len(clips), int(rng.integers(d.min_words, d.max_words + 1)))
        gaps = rng.uniform(d.min_silence_ms, d.max_silence_ms, len(picks) + 1)
        gaps = (gaps * d.sample_rate / 1000).astype(int)
        parts = [np.zeros(gaps[0], np.float32)]
        for p, gap in zip(picks, gaps[1:], strict=True):
            parts += [waves[clips[p].path], np.zeros(gap, np.float32)]
        ids = "+".join(os.path.basename(clips[p].path) for p in picks)
        words = " ".join(spell(clips[p].text) if d.spell_digits else clips[p].text for p in picks)
        out.append(Utterance(ids, words, np.concatenate(parts)))
    return out


@dataclasses.dataclass
class SpeechData(batching.Bucketed):
    """``feats[split]``: normalized float32[frames, features] per utterance;
    ``labels[split]``: int32[tokens] (0 is the CTC blank); ``texts``/``ids``: transcript
    and source file(s) of each."""

    feats: dict[str, list[np.ndarray]]
    labels: dict[str, list[np.ndarray]]
    texts: dict[str, list[str]]
    ids: dict[str, list[str]]
    tokens: text.Vocab
    norm: Normalizer
    config: ml_collections.ConfigDict  # the data section: featurizes new files alike
    batch_size: int
    eval_batch_size: int

    @property
    def level(self) -> str:
        return self.config.tokens

    def lengths(self, split: str) -> list[int]:
        return [len(f) for f in self.feats[split]]

    def featurize(self, wave: np.ndarray) -> np.ndarray:
        return self.norm(raw_features(wave, self.config))

    def decode(self, ids: list[int]) -> str:
        return join_tokens([self.tokens.itos[i] for i in ids], self.level)

    def batch(self, split: str, index: np.ndarray) -> dict[str, np.ndarray]:
        return self.make_batch(self.feats[split], self.labels[split], index)

    def make_batch(self, feats, labels, index) -> dict[str, np.ndarray]:
        """Rows ``index`` (-1: a weight-0 filler row) -> features float32[rows, frames, F]
        (frames a multiple of ``pad_multiple``), lengths int32[rows], labels
        int32[rows, L] (0-padded), label_lengths int32[rows], weights float32[rows]."""
        m = self.config.pad_multiple
        lengths = np.array([len(feats[i]) if i >= 0 else 1 for i in index], np.int32)
        width = -(-int(lengths.max()) // m) * m
        x = np.zeros((len(index), width, feats[0].shape[1]), np.float32)
        label_lengths = np.array([len(labels[i]) if i >= 0 else 0 for i in index], np.int32)
        y = np.zeros((len(index), -(-max(int(label_lengths.max()), 1) // 8) * 8), np.int32)
        for row, i in enumerate(index):
            if i >= 0:
                x[row, : lengths[row]] = feats[i]
                y[row, : label_lengths[row]] = labels[i]
        return {
            "features": x,
            "lengths": lengths,
            "labels": y,
            "label_lengths": label_lengths,
            "weights": (np.asarray(index) >= 0).astype(np.float32),
        }


def raw_features(wave: np.ndarray, d: ml_collections.ConfigDict) -> np.ndarray:
    """float32[frames, features] of a wave, as the data section asks, not normalized."""
    return features(wave, d.sample_rate, d.features, d.num_mels, d.num_mfcc, d.window_ms, d.hop_ms)


def list_clips(d: ml_collections.ConfigDict) -> dict[str, list[audio.Clip]]:
    """Each split's clips: from its manifest, or from the folder by pattern and rules. A
    test manifest beside a folder replaces the rules' test split (what
    ``lstm_jax.load(workdir).evaluate("my_clips.jsonl")`` does); training is unchanged."""
    if d.train:
        return {s: audio.read_manifest(os.path.join(d.dir, d[s])) for s in SPLITS}
    clips = audio.split_by_rules(audio.scan_folder(d.dir, d.pattern), d.test_rule, d.valid_rule)
    if d.test:
        clips["test"] = audio.read_manifest(os.path.join(d.dir, d.test))
    return clips


def load(config: ml_collections.ConfigDict, workdir: str) -> SpeechData:
    d = config.data
    clips = list_clips(d)
    waves, resampled = {}, Counter()
    for split in SPLITS:
        for c in clips[split]:
            if c.path not in waves:
                waves[c.path], rate = audio.read_audio(c.path, d.sample_rate)
                if rate != d.sample_rate:
                    resampled[rate] += 1
    if resampled:
        rates = ", ".join(f"{n} from {r} Hz" for r, n in sorted(resampled.items()))
        print(f"speech: resampled {sum(resampled.values())} files to {d.sample_rate} Hz ({rates})")
    if d.connected:
        rng = np.random.default_rng(d.connected_seed)
        sizes = {s: d[f"connected_{s}"] for s in SPLITS}
        utts = {s: connected(clips[s], waves, sizes[s], rng, d) for s in SPLITS}
    else:
        utts = {
            s: [
                Utterance(c.path, spell(c.text) if d.spell_digits else c.text, waves[c.path])
                for c in clips[s]
            ]
            for s in SPLITS
        }
    where = {s: [c.where for c in clips[s]] for s in SPLITS}
    labels, texts = {}, {}
    for s in SPLITS:
        for i, u in enumerate(utts[s]):
            if not u.text.split():
                raise DataError(f"{where[s][i] if not d.connected else u.id}: empty transcript")
    train_tokens = sorted({t for u in utts["train"] for t in tokenize(u.text, d.tokens)})
    vocab = text.Vocab([BLANK, *train_tokens])
    for s in SPLITS:
        labels[s], texts[s] = [], []
        for i, u in enumerate(utts[s]):
            toks = tokenize(u.text, d.tokens)
            unknown = [t for t in toks if t not in vocab.stoi]
            if unknown:
                source = u.id if d.connected else where[s][i]
                raise DataError(
                    f"{source}: transcript {u.text!r} has {unknown[0]!r}, which no training "
                    "transcript has: CTC cannot emit it (add such clips to training)"
                )
            labels[s].append(np.array([vocab.stoi[t] for t in toks], np.int32))
            texts[s].append(join_tokens(toks, d.tokens))
    raw = {s: [raw_features(u.wave, d) for u in utts[s]] for s in SPLITS}
    text.keep_vocabs(workdir, {"vocab.tokens.jsonl": vocab}, save=False)
    norm = Normalizer.fit(raw["train"]).keep(workdir)
    text.keep_vocabs(workdir, {"vocab.tokens.jsonl": vocab})
    feats = {s: [norm(f) for f in raw[s]] for s in SPLITS}
    ids = {s: [u.id for u in utts[s]] for s in SPLITS}
    return SpeechData(
        feats, labels, texts, ids, vocab, norm, d, config.batch_size, d.eval_batch_size
    )
