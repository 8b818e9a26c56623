"""Toy spoken digits, synthesized: each digit a chirp between two frequencies of its own
(with its octave), each speaker a pitch factor, written as FSDD-named 8 kHz WAVs.

For the tests and the speech notebook where FSDD is not at hand: a recognizer must still
find where each "word" starts and tell the chirps apart, but a tiny one learns it in
seconds.
"""

from __future__ import annotations

import os

import numpy as np

RATE = 8000
#: (start Hz, end Hz) of each digit's chirp
CHIRPS = [
    (300, 900),
    (1500, 700),
    (2600, 2000),
    (900, 2800),
    (500, 500),
    (2000, 3200),
    (1200, 1200),
    (3300, 1800),
    (700, 1700),
    (2300, 2300),
]


def word(digit: int, speaker: float, rng: np.random.Generator) -> np.ndarray:
    """float32[samples]: 0.12-0.2 s of the digit's chirp (pitch x ``speaker``) and its
    octave, faded in and out, with a little noise."""
    n = int(RATE * rng.uniform(0.12, 0.2))
    t = np.arange(n) / RATE
    f0, f1 = (min(f * speaker, 3900.0) for f in CHIRPS[digit])
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * t[-1]))
    wave = (np.sin(phase) + 0.3 * np.sin(2 * phase)) * np.hanning(n) * 0.4
    return (wave + 0.01 * rng.standard_normal(n)).astype(np.float32)


def recordings(folder, digits=3, speakers=("ann", "bob"), per=12, seed=0) -> str:
    """Writes ``{digit}_{speaker}_{index}.wav`` for index 0..per-1 (FSDD's naming) into
    ``folder``; returns it."""
    from lstm_jax.data.audio import _soundfile

    sf = _soundfile()
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for s, name in enumerate(speakers):
        for d in range(digits):
            for i in range(per):
                wave = word(d, 1.0 + 0.08 * s, rng)
                sf.write(os.path.join(folder, f"{d}_{name}_{i}.wav"), wave, RATE, subtype="PCM_16")
    return str(folder)
