"""Speech features: log-mel filterbanks or MFCCs (librosa), and their normalization.

Frames are ``window_ms`` long every ``hop_ms`` (25/10 ms, the usual ASR framing), the FFT
the next power of two at or above the window, frames centred (librosa's default), so a
clip of n samples gives ``1 + n // hop`` frames. Log-mel is ``log(mel power + 1e-6)``;
MFCC is the DCT of the mel power in dB (``librosa.feature.mfcc``'s own recipe).
"""

from __future__ import annotations

import json
import os

import jax
import numpy as np

from lstm_jax.errors import CheckpointError, ConfigError
from lstm_jax.files import write_atomic

KINDS = ("logmel", "mfcc")
NORM_FILE = "feature_norm.json"


def _librosa():
    try:
        import librosa
    except ImportError:
        from lstm_jax.data.audio import AUDIO_EXTRA

        raise ConfigError(f"speech features need librosa: {AUDIO_EXTRA}") from None
    return librosa


def framing(sample_rate: int, window_ms: float, hop_ms: float) -> tuple[int, int, int]:
    """(n_fft, window, hop) in samples."""
    win = round(sample_rate * window_ms / 1000)
    hop = round(sample_rate * hop_ms / 1000)
    if win < 2 or hop < 1:
        raise ConfigError(f"data.window_ms / hop_ms give {win} / {hop} samples: too short")
    return 1 << (win - 1).bit_length(), win, hop


def features(
    wave: np.ndarray,
    sample_rate: int,
    kind: str = "logmel",
    num_mels: int = 40,
    num_mfcc: int = 13,
    window_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> np.ndarray:
    """wave: float32[samples] -> float32[frames, num_mels] (logmel) or [frames, num_mfcc]."""
    librosa = _librosa()
    n_fft, win, hop = framing(sample_rate, window_ms, hop_ms)
    mel = librosa.feature.melspectrogram(
        y=np.asarray(wave, np.float32),
        sr=sample_rate,
        n_fft=n_fft,
        win_length=win,
        hop_length=hop,
        n_mels=num_mels,
        power=2.0,
    )
    if kind == "logmel":
        out = np.log(mel + 1e-6)
    elif kind == "mfcc":
        out = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=num_mfcc)
    else:
        raise ConfigError(f"unknown data.features {kind!r}; choose one of {KINDS}")
    return np.ascontiguousarray(out.T, dtype=np.float32)


class Normalizer:
    """Per-feature mean and standard deviation, fitted on the training frames."""

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        self.mean = np.asarray(mean, np.float32)
        self.std = np.asarray(std, np.float32)

    @classmethod
    def fit(cls, feats: list[np.ndarray]) -> Normalizer:
        frames = np.concatenate(feats, 0).astype(np.float64)
        return cls(frames.mean(0), np.maximum(frames.std(0), 1e-5))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std

    def keep(self, workdir: str) -> Normalizer:
        """The workdir's normalizer if it has one (what the model was trained with; it must
        have this one's size), else this one, saved there."""
        path = os.path.join(workdir, NORM_FILE)
        if os.path.exists(path):
            with open(path) as f:
                saved = json.load(f)
            kept = Normalizer(saved["mean"], saved["std"])
            if kept.mean.shape != self.mean.shape:
                raise CheckpointError(
                    f"{path} normalizes {kept.mean.size} features but the config gives "
                    f"{self.mean.size}; use a fresh --workdir or the workdir's own data keys"
                )
            return kept
        if jax.process_index() == 0:
            os.makedirs(workdir, exist_ok=True)
            record = {"mean": self.mean.tolist(), "std": self.std.tolist()}
            write_atomic(path, json.dumps(record))
        return self
