"""Audio input: WAV files, ASR manifests, labels from file names, and split rules.

Two ways to list a data set's clips, as ASR toolkits do:

* a manifest per split (NeMo/ESPnet layout): JSON lines with ``audio_filepath``, ``text``
  and an optional ``duration``, or a TSV/CSV table with those column names; relative
  paths are relative to the manifest's folder;
* a folder of recordings whose file names carry the fields, by a pattern such as FSDD's
  ``{text}_{speaker}_{index}.wav``, split by rules on the fields (``index=0-4``,
  ``speaker=george,lucas``).

Audio is read with soundfile, mixed down to mono and resampled (soxr, through librosa)
when a file's rate differs from the one asked for.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re

import numpy as np

from lstm_jax.errors import ConfigError, DataError

AUDIO_EXTRA = 'pip install -e ".[audio]"'


@dataclasses.dataclass(frozen=True)
class Clip:
    """One recording: its file, transcript, the fields its name or row gave, and where it
    was listed (``manifest:line`` or the file), for error messages."""

    path: str
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    where: str = ""

    def field(self, name: str) -> str:
        return dict(self.fields)[name]


def _soundfile():
    try:
        import soundfile
    except ImportError:
        raise ConfigError(f"reading audio needs soundfile: {AUDIO_EXTRA}") from None
    return soundfile


def read_audio(path: str, sample_rate: int) -> tuple[np.ndarray, int]:
    """float32[samples] in [-1, 1] at ``sample_rate`` (mono: channels averaged), and the
    file's own rate (differs from ``sample_rate`` when the clip was resampled)."""
    sf = _soundfile()
    if not os.path.isfile(path):
        raise DataError(f"audio file {path!r} does not exist")
    try:
        wave, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception as e:  # soundfile's LibsndfileError or a RuntimeError, by version
        reason = " ".join(str(e).split())
        raise DataError(
            f"{path}: not a readable audio file ({reason}); give WAV/FLAC/OGG files"
        ) from None
    if wave.shape[0] == 0:
        raise DataError(f"{path}: the audio is empty (0 samples); remove it from the data")
    wave = wave.mean(axis=1)
    if rate != sample_rate:
        import librosa

        wave = librosa.resample(wave, orig_sr=rate, target_sr=sample_rate).astype(np.float32)
    return wave, rate


def read_manifest(path: str) -> list[Clip]:
    """Clips listed by a manifest: JSON lines (``.jsonl``/``.json``) or a table with a
    header (``.tsv``/``.csv``), each row with ``audio_filepath`` and ``text``."""
    if not os.path.isfile(path):
        raise DataError(f"manifest {path!r} does not exist; check config.data.dir and the split")
    base = os.path.dirname(path)
    with open(path, encoding="utf-8") as f:
        if path.endswith((".tsv", ".csv")):
            dialect = "excel-tab" if path.endswith(".tsv") else "excel"
            rows = [(n, r) for n, r in enumerate(csv.DictReader(f, dialect=dialect), 2)]
        else:
            rows = []
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rows.append((n, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise DataError(f"{path}:{n}: not a JSON object ({e.msg})") from None
    clips = []
    for n, row in rows:
        where = f"{path}:{n}"
        if not isinstance(row, dict) or "audio_filepath" not in row or "text" not in row:
            raise DataError(f"{where}: a row needs audio_filepath and text (NeMo's manifest)")
        audio = os.path.join(base, str(row["audio_filepath"]))
        if not os.path.isfile(audio):
            raise DataError(f"{where}: audio_filepath {row['audio_filepath']!r} does not exist")
        fields = tuple((k, str(v)) for k, v in row.items() if k not in ("audio_filepath", "text"))
        clips.append(Clip(audio, str(row["text"]), fields, where))
    if not clips:
        raise DataError(f"manifest {path!r} lists no clips")
    return clips


def pattern_regex(pattern: str) -> re.Pattern:
    """``{name}`` fields of a file-name pattern -> a regex with those named groups."""
    parts = re.split(r"\{(\w+)\}", pattern)
    names = parts[1::2]
    if "text" not in names:
        raise ConfigError(f"data.pattern {pattern!r} needs a {{text}} field: the transcript")
    if len(set(names)) != len(names):
        raise ConfigError(f"data.pattern {pattern!r} names a field twice")
    body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(body + "$")


def scan_folder(folder: str, pattern: str) -> list[Clip]:
    """The files in ``folder`` whose names match ``pattern``, sorted by name; their fields
    (``text`` is the transcript) from the name. Other files are ignored."""
    if not os.path.isdir(folder):
        raise DataError(f"audio folder {folder!r} does not exist; check config.data.dir")
    regex = pattern_regex(pattern)
    clips = []
    for name in sorted(os.listdir(folder)):
        m = regex.match(name)
        if m:
            fields = tuple((k, v) for k, v in m.groupdict().items() if k != "text")
            path = os.path.join(folder, name)
            clips.append(Clip(path, m.group("text"), fields, path))
    if not clips:
        raise DataError(f"no file in {folder!r} matches data.pattern {pattern!r}")
    return clips


def parse_rule(rule: str) -> tuple[str, set[str] | tuple[int, int]]:
    """``field=a,b`` (values) or ``field=lo-hi`` (an int range, both ends included)."""
    if "=" not in rule:
        raise ConfigError(
            f"split rule {rule!r} must be FIELD=VALUES, e.g. index=0-4 or speaker=george,lucas"
        )
    field, values = (s.strip() for s in rule.split("=", 1))
    m = re.fullmatch(r"(\d+)-(\d+)", values)
    if m:
        return field, (int(m.group(1)), int(m.group(2)))
    return field, {v.strip() for v in values.split(",") if v.strip()}


def matches(clip: Clip, rule: str) -> bool:
    field, allowed = parse_rule(rule)
    fields = dict(clip.fields)
    if field not in fields:
        raise ConfigError(
            f"split rule {rule!r}: {clip.where} has no field {field!r} "
            f"(its fields: {', '.join(fields) or 'none'})"
        )
    value = fields[field]
    if isinstance(allowed, tuple):
        if not value.isdigit():
            raise ConfigError(
                f"split rule {rule!r}: {clip.where} has {field}={value!r}, not an int"
            )
        return allowed[0] <= int(value) <= allowed[1]
    return value in allowed


def split_by_rules(clips: list[Clip], test_rule: str, valid_rule: str) -> dict[str, list[Clip]]:
    """test: the clips ``test_rule`` matches; valid: those of the rest ``valid_rule``
    matches; train: all others."""
    test = [c for c in clips if matches(c, test_rule)]
    rest = [c for c in clips if not matches(c, test_rule)]
    valid = [c for c in rest if matches(c, valid_rule)]
    train = [c for c in rest if not matches(c, valid_rule)]
    for split, part, rule in (("test", test, test_rule), ("valid", valid, valid_rule)):
        if not part:
            raise ConfigError(f"data.{split}_rule {rule!r} matches no recording")
    if not train:
        raise ConfigError("the split rules leave no recording for training")
    return {"train": train, "valid": valid, "test": test}
