import importlib.util

import pytest

from lstm_jax.data.tfds_text import open_split
from lstm_jax.errors import DataError

NO_TF = importlib.util.find_spec("tensorflow") is None


@pytest.mark.skipif(not NO_TF, reason="TensorFlow is installed: TFDS finds every builder")
@pytest.mark.parametrize("name", ["glue/sst2", "conll2003", "wmt14_translate/de-en"])
def test_builder_that_needs_tensorflow_says_so(tmp_path, name):
    # Without TensorFlow TFDS reports these as unknown; the user must hear why instead.
    with pytest.raises(DataError, match=r"not prepared.*needs TensorFlow.*tfds build") as e:
        open_split(name, "train", str(tmp_path))
    assert "\n" not in str(e.value)


def test_unknown_name_is_not_blamed_on_tensorflow(tmp_path):
    with pytest.raises(DataError, match="TFDS has no dataset 'no_such_dataset_xyz'") as e:
        open_split("no_such_dataset_xyz", "train", str(tmp_path))
    assert "TensorFlow" not in str(e.value)


def test_registered_but_not_prepared(tmp_path):
    with pytest.raises(DataError, match="'tiny_shakespeare' is not prepared"):
        open_split("tiny_shakespeare", "train", str(tmp_path))


@pytest.mark.skipif(not NO_TF, reason="TensorFlow is installed: TFDS finds every builder")
def test_builder_that_loads_without_tensorflow_still_says_it_needs_it(tmp_path, monkeypatch):
    # With keras installed (the peers extra) TFDS loads glue's builder without TensorFlow;
    # preparing it still needs TensorFlow, so the not-prepared error must say so too.
    import tensorflow_datasets as tfds

    class Unprepared:
        data_dir = str(tmp_path)

        def is_prepared(self):
            return False

    monkeypatch.setattr(tfds, "builder", lambda name, data_dir=None: Unprepared())
    with pytest.raises(DataError, match=r"not prepared.*needs TensorFlow.*tfds build") as e:
        open_split("glue/sst2", "train", str(tmp_path))
    assert "\n" not in str(e.value)
