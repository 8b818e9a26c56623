"""TFDS datasets through ``tfds.data_source`` (``tiny_shakespeare``, ``glue/sst2``, ...).

Reads the prepared array_record files with no TensorFlow. A dataset that is not prepared
in ``data_dir`` is an error, never a download: downloads cannot work offline and a miss
would hang for minutes.
"""

from __future__ import annotations

import os

from lstm_jax.errors import DataError


def open_split(name: str, split: str, data_dir: str | None):
    """``builder.as_data_source(split)`` of a prepared TFDS dataset, or a one-line DataError."""
    import tensorflow_datasets as tfds

    data_dir = os.path.expanduser(data_dir) if data_dir else None
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as e:  # tfds raises several types for an unknown name
        raise DataError(f"TFDS has no dataset {name!r}: {str(e).splitlines()[0]}") from None
    if not builder.is_prepared():
        raise DataError(
            f"TFDS dataset {name!r} is not prepared in {builder.data_dir!r}; prepare it "
            f"(tfds build {name} --data_dir=...) on a machine with network and set "
            "config.data.dir to that directory"
        )
    try:
        source = builder.as_data_source(split=split)
    except Exception as e:  # an unknown split, or a dataset not stored as array_record
        raise DataError(f"TFDS {name!r} split {split!r} cannot be read: {e}") from None
    if not len(source):
        raise DataError(f"TFDS {name!r} split {split!r} is empty")
    return source


def as_text(value) -> str:
    """A TFDS text feature: bytes from real data, str from ``tfds.testing.mock_data``."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def load_text(name: str, split: str, data_dir: str | None, key: str = "text") -> str:
    """Every example's ``key`` feature of ``split``, one per line."""
    lines = []
    for ex in open_split(name, split, data_dir):
        if key not in ex:
            raise DataError(f"TFDS {name!r} examples have no feature {key!r}: {sorted(ex)}")
        lines.append(as_text(ex[key]))
    return "\n".join(lines)
