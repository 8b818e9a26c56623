"""Text from TFDS datasets (``tiny_shakespeare``, ``lm1b``, ...) through ``tfds.data_source``.

Reads the prepared array_record files with no TensorFlow. A dataset that is not prepared
in ``data_dir`` is an error, never a download: downloads cannot work offline and a miss
would hang for minutes.
"""

from __future__ import annotations

from lstm_jax.errors import DataError


def load_text(name: str, split: str, data_dir: str | None, key: str = "text") -> str:
    """Every example's ``key`` feature of ``split``, one per line."""
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=data_dir or None)
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
    except Exception as e:
        raise DataError(f"TFDS {name!r} has no split {split!r}: {e}") from None
    lines = []
    for ex in source:
        if key not in ex:
            raise DataError(f"TFDS {name!r} examples have no feature {key!r}: {sorted(ex)}")
        value = ex[key]
        lines.append(value.decode("utf-8") if isinstance(value, bytes) else str(value))
    if not lines:
        raise DataError(f"TFDS {name!r} split {split!r} is empty")
    return "\n".join(lines)
