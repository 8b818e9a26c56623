"""What the notebooks share: run from the repository root, pick sizes for the platform,
find (or on Colab, fetch) a data file.

Each notebook starts with ``SMALL = notebook.setup()``. ``SMALL`` is True without an
accelerator, and whenever ``LSTM_JAX_SMALL=1`` (CI sets it), so that every notebook
runs top to bottom on a laptop CPU in a minute or two.
"""

from __future__ import annotations

import os
import shutil
import sys
import tarfile
import urllib.request
import zipfile

import jax

import lstm_jax

# where the notebooks look for the benchmark data, relative to the repository root; the
# configs' own defaults point there too (``../shared/data/ptb``, ...)
DATA = os.environ.get("LSTM_JAX_DATA", "../shared/data")


def in_colab() -> bool:
    return "google.colab" in sys.modules


def setup() -> bool:
    """Moves to the repository root (configs' data paths are relative to it, as for the
    command line), makes ``configs`` importable, prints the devices; returns SMALL."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(lstm_jax.__file__)))
    if not os.path.exists(os.path.join(root, "configs", "default.py")):
        raise RuntimeError(
            f"lstm_jax at {root} is not a checkout (no configs/); install it with "
            "`pip install -e .` from a clone of the repository"
        )
    os.chdir(root)
    if root not in sys.path:
        sys.path.insert(0, root)
    small = os.environ.get("LSTM_JAX_SMALL") == "1" or jax.default_backend() == "cpu"
    dev = jax.devices()[0]
    print(
        f"{jax.default_backend()}: {jax.device_count()} x {dev.device_kind}; "
        f"{'small' if small else 'full'} sizes (LSTM_JAX_SMALL=1 forces small)"
    )
    return small


def data_file(relative: str, url: str = "", member: str = "") -> str | None:
    """``DATA/relative`` if it exists; on Colab, downloaded there from ``url`` first (a
    .zip archive's ``member``, if given); None otherwise (the notebook then uses data it
    generates). Never downloads outside Colab: CI and offline machines never wait."""
    path = os.path.join(DATA, relative)
    if os.path.exists(path):
        return path
    if not (url and in_colab()):
        return None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fetched, _ = urllib.request.urlretrieve(url)
    if member:
        with zipfile.ZipFile(fetched) as z, z.open(member) as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        shutil.move(fetched, path)
    return path


def data_folder(relative: str, url: str = "", prefix: str = "") -> str | None:
    """``DATA/relative`` if it is a folder; on Colab, the members of the .zip or .tar.gz at
    ``url`` under ``prefix`` extracted there first; None otherwise (never downloads
    elsewhere)."""
    path = os.path.join(DATA, relative)
    if os.path.isdir(path):
        return path
    if not (url and in_colab()):
        return None
    os.makedirs(path, exist_ok=True)
    fetched, _ = urllib.request.urlretrieve(url)
    if url.endswith(".tar.gz"):
        with tarfile.open(fetched) as t:
            members = {m.name: m for m in t.getmembers() if m.isfile()}
            opener = lambda name: t.extractfile(members[name])
            _copy_members(list(members), opener, prefix, path)
    else:
        with zipfile.ZipFile(fetched) as z:
            _copy_members(z.namelist(), z.open, prefix, path)
    return path


def _copy_members(names, opener, prefix: str, path: str) -> None:
    for name in names:
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(path, name[len(prefix) :])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with opener(name) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
