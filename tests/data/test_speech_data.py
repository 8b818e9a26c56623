"""Audio input and speech features: manifests, file-name fields and split rules, WAV
reading (mono, resampling, bad files), log-mel/MFCC against an independent numpy
computation, normalization kept in the workdir, connected utterances."""

import json
import os

import numpy as np
import pytest

from configs import fsdd_connected, fsdd_digits
from lstm_jax.data import audio, speech
from lstm_jax.data.audio_features import NORM_FILE, Normalizer, features, framing
from lstm_jax.data.toy_speech import RATE, recordings
from lstm_jax.errors import CheckpointError, ConfigError, DataError

sf = pytest.importorskip("soundfile")


def config(folder, **overrides):
    c = fsdd_digits.get_config()
    c.data.dir = folder
    c.data.test_rule, c.data.valid_rule = "index=0-1", "index=2-3"
    c.data.num_mels = 16
    c.update_from_flattened_dict(overrides)
    return c


def test_file_names_give_fields_and_rules_split_them(tmp_path):
    folder = recordings(tmp_path / "rec", per=6)
    (tmp_path / "rec" / "notes.txt").write_text("not audio")  # not matched: ignored
    clips = audio.scan_folder(folder, "{text}_{speaker}_{index}.wav")
    assert len(clips) == 3 * 2 * 6 and clips[0].text == "0" and clips[0].field("speaker") == "ann"
    parts = audio.split_by_rules(clips, "index=0-1", "index=2-3")
    assert [len(parts[s]) for s in ("train", "valid", "test")] == [12, 12, 12]
    held = audio.split_by_rules(clips, "speaker=bob", "index=0-0")
    assert {c.field("speaker") for c in held["test"]} == {"bob"}
    assert {c.field("speaker") for c in held["train"] + held["valid"]} == {"ann"}
    with pytest.raises(ConfigError, match="has no field 'session'"):
        audio.split_by_rules(clips, "session=1", "index=0-1")
    with pytest.raises(ConfigError, match="must be FIELD=VALUES"):
        audio.split_by_rules(clips, "george", "index=0-1")
    with pytest.raises(ConfigError, match="matches no recording"):
        audio.split_by_rules(clips, "speaker=zed", "index=0-1")
    with pytest.raises(ConfigError, match=r"needs a \{text\} field"):
        audio.pattern_regex("{digit}_{speaker}.wav")


def test_manifests_jsonl_and_tsv(tmp_path):
    recordings(tmp_path / "rec", per=1)
    rows = [{"audio_filepath": "rec/1_ann_0.wav", "text": "one", "duration": 0.2}]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "m.tsv").write_text("audio_filepath\ttext\nrec/2_bob_0.wav\ttwo\n")
    (clip,) = audio.read_manifest(str(tmp_path / "m.jsonl"))
    assert clip.path == str(tmp_path / "rec/1_ann_0.wav") and clip.text == "one"
    assert clip.field("duration") == "0.2"
    (clip,) = audio.read_manifest(str(tmp_path / "m.tsv"))
    assert clip.text == "two" and os.path.isfile(clip.path)
    (tmp_path / "bad.jsonl").write_text('{"audio_filepath": "rec/gone.wav", "text": "x"}\n')
    with pytest.raises(DataError, match=r"bad.jsonl:1: audio_filepath 'rec/gone.wav' does not"):
        audio.read_manifest(str(tmp_path / "bad.jsonl"))
    (tmp_path / "bad2.jsonl").write_text('{"audio_filepath": "rec/1_ann_0.wav"}\n')
    with pytest.raises(DataError, match=r"bad2.jsonl:1: a row needs audio_filepath and text"):
        audio.read_manifest(str(tmp_path / "bad2.jsonl"))


def test_read_audio_mixes_down_resamples_and_refuses_bad_files(tmp_path):
    t = np.arange(16000) / 16000
    left, right = np.sin(2 * np.pi * 440 * t), np.zeros_like(t)
    sf.write(tmp_path / "stereo16k.wav", np.stack([left, right], 1), 16000)
    wave, rate = audio.read_audio(str(tmp_path / "stereo16k.wav"), RATE)
    assert rate == 16000 and wave.shape == (8000,) and wave.dtype == np.float32
    np.testing.assert_allclose(np.abs(wave[1000:7000]).max(), 0.5, atol=0.02)  # mean of L, R
    (tmp_path / "text.wav").write_text("hello")
    with pytest.raises(DataError, match=r"text.wav: not a readable audio file"):
        audio.read_audio(str(tmp_path / "text.wav"), RATE)
    sf.write(tmp_path / "empty.wav", np.zeros(0), RATE)
    with pytest.raises(DataError, match=r"empty.wav: the audio is empty"):
        audio.read_audio(str(tmp_path / "empty.wav"), RATE)


def _numpy_logmel(wave, rate, num_mels, window_ms, hop_ms):
    """An independent log-mel: numpy framing and FFT, librosa only for the mel matrix."""
    import librosa

    n_fft, win, hop = framing(rate, window_ms, hop_ms)
    window = np.zeros(n_fft)
    lo = (n_fft - win) // 2
    window[lo : lo + win] = np.hanning(win + 1)[:-1]  # periodic Hann, centred in the FFT
    padded = np.pad(wave, n_fft // 2)  # centred frames, zero padding (librosa's default)
    frames = np.stack([padded[i * hop : i * hop + n_fft] for i in range(1 + len(wave) // hop)])
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = power @ librosa.filters.mel(sr=rate, n_fft=n_fft, n_mels=num_mels).T
    return np.log(mel + 1e-6)


def test_features_against_an_independent_computation():
    rng = np.random.default_rng(0)
    wave = rng.standard_normal(RATE // 2).astype(np.float32) * 0.1
    ours = features(wave, RATE, "logmel", 40, window_ms=25, hop_ms=10)
    assert ours.shape == (1 + len(wave) // 80, 40)
    np.testing.assert_allclose(ours, _numpy_logmel(wave, RATE, 40, 25, 10), atol=2e-3)
    mfcc = features(wave, RATE, "mfcc", 40, num_mfcc=13)
    assert mfcc.shape == (ours.shape[0], 13)
    # MFCC 0 is the frame's mean mel power in dB, scaled by the orthonormal DCT
    db = 10 * np.log10(np.maximum(np.exp(ours) - 1e-6, 1e-10))
    db = np.maximum(db, db.max() - 80.0)
    np.testing.assert_allclose(mfcc[:, 0], db.sum(1) / np.sqrt(40), rtol=1e-3, atol=1e-2)


def test_normalizer_is_kept_in_the_workdir(tmp_path):
    a = Normalizer.fit([np.ones((3, 2)), np.zeros((1, 2))])
    np.testing.assert_allclose(a.mean, [0.75, 0.75])
    a.keep(str(tmp_path))
    b = Normalizer.fit([np.zeros((5, 2))]).keep(str(tmp_path))  # the saved one wins
    np.testing.assert_allclose(b.mean, a.mean)
    with pytest.raises(CheckpointError, match=f"{NORM_FILE} normalizes 2 features"):
        Normalizer.fit([np.zeros((5, 3))]).keep(str(tmp_path))


def test_speech_data_tokens_and_unknown_words(tmp_path, capsys):
    folder = recordings(tmp_path / "rec", per=5)
    wave, _ = sf.read(f"{folder}/1_bob_4.wav", dtype="float32")
    sf.write(f"{folder}/1_bob_4.wav", np.repeat(wave, 2), 2 * RATE)  # one file at 16 kHz
    data = speech.load(config(folder), str(tmp_path / "w"))
    assert "resampled 1 files to 8000 Hz (1 from 16000 Hz)" in capsys.readouterr().out
    assert data.tokens.itos == ["<blank>", "one", "two", "zero"]
    assert sorted(set(data.texts["test"])) == ["one", "two", "zero"]
    norm = np.concatenate(data.feats["train"])
    np.testing.assert_allclose(norm.mean(0), 0, atol=1e-4)
    assert os.path.exists(tmp_path / "w" / "vocab.tokens.jsonl")
    chars = speech.load(config(folder, **{"data.tokens": "char"}), str(tmp_path / "c"))
    assert "".join(chars.tokens.itos[1:]) == "enortwz"
    # a test transcript with a word no training transcript has: named, with the file
    os.rename(f"{folder}/2_ann_0.wav", f"{folder}/9_ann_0.wav")
    with pytest.raises(DataError, match=r"9_ann_0.wav: transcript 'nine' has 'nine'"):
        speech.load(config(folder), str(tmp_path / "w2"))
    assert not os.path.exists(tmp_path / "w2")  # refused: nothing written


def test_connected_utterances_are_seeded_and_keep_splits_apart(tmp_path):
    folder = recordings(tmp_path / "rec", per=4)
    c = fsdd_connected.get_config()
    c.data.dir, c.data.num_mels = folder, 16
    c.data.test_rule, c.data.valid_rule = "index=0-1", "index=2-2"
    c.data.connected_train, c.data.connected_valid, c.data.connected_test = 20, 5, 8
    a = speech.load(c, str(tmp_path / "a"))
    b = speech.load(c, str(tmp_path / "b"))
    assert a.ids == b.ids and a.texts == b.texts
    for split, idx in (("train", {"3"}), ("valid", {"2"}), ("test", {"0", "1"})):
        used = {f.rsplit("_", 1)[1][:-4] for u in a.ids[split] for f in u.split("+")}
        assert used <= idx, split
        assert all(2 <= len(t.split()) <= 7 for t in a.texts[split])
    c.data.connected_seed = 1
    assert speech.load(c, str(tmp_path / "c")).ids != a.ids
    with pytest.raises(ConfigError, match="unknown variant"):
        fsdd_connected.get_config("speaker=zed")
    assert fsdd_connected.get_config("speaker=theo").data.test_rule == "speaker=theo"
