"""TFDS datasets through ``tfds.data_source`` (``tiny_shakespeare``, ``glue/sst2``, ...).

Reads the prepared array_record files with no TensorFlow. A dataset that is not prepared
in ``data_dir`` is an error, never a download: downloads cannot work offline and a miss
would hang for minutes.
"""

from __future__ import annotations

import os
import pathlib
import re

from lstm_jax.errors import ConfigError, DataError


def open_split(name: str, split: str, data_dir: str | None):
    """``builder.as_data_source(split)`` of a prepared TFDS dataset, or a one-line DataError."""
    import tensorflow_datasets as tfds

    data_dir = os.path.expanduser(data_dir) if data_dir else None
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except Exception as e:  # tfds raises several types for an unknown name
        if _needs_tensorflow(name):
            raise _needs_tensorflow_error(name, data_dir or "TFDS's default data_dir") from None
        raise DataError(f"TFDS has no dataset {name!r}: {str(e).splitlines()[0]}") from None
    if not builder.is_prepared():
        # With some extras (keras) the builder loads without TensorFlow, but preparing
        # it still needs TensorFlow: say so rather than send the user to a failing build.
        if _needs_tensorflow(name):
            raise _needs_tensorflow_error(name, builder.data_dir)
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


def _needs_tensorflow_error(name: str, where: str) -> DataError:
    return DataError(
        f"TFDS dataset {name!r} is not prepared in {where!r}, and its TFDS builder "
        "needs TensorFlow, which is not installed: prepare it on a machine with "
        f"network and TensorFlow (pip install -e '.[tf]'; tfds build {name} "
        "--data_dir=DIR), then copy DIR here and set config.data.dir to it"
    )


def _needs_tensorflow(name: str) -> bool:
    """True if ``name`` is a TFDS dataset whose builder module imports TensorFlow, which
    is missing: TFDS then reports the dataset as unknown, which would mislead the user.
    A builder ``wmt14_translate`` is a class ``Wmt14Translate`` somewhere in TFDS's code."""
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        return False
    import tensorflow_datasets as tfds

    camel = "".join(part[:1].upper() + part[1:] for part in name.split("/")[0].split("_"))
    pattern = re.compile(rf"^class {re.escape(camel)}\(", re.MULTILINE)
    root = pathlib.Path(tfds.__file__).parent
    for path in root.rglob("*.py"):
        if path.name.endswith("_test.py"):
            continue
        if pattern.search(path.read_text(encoding="utf-8", errors="ignore")):
            return True
    return False


def tfds_splits(data) -> list[str]:
    """``data.tfds_splits`` as the TFDS split names of train, valid and test."""
    names = data.tfds_splits.split(",")
    if len(names) != 3:
        raise ConfigError(f"data.tfds_splits must name 3 splits, got {data.tfds_splits!r}")
    return names


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
