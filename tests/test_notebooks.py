"""Every notebook is committed without outputs and matches its percent-format .py twin
(reviews read the .py; `jupytext --sync notebooks/X.py` rewrites the .ipynb). CI runs
the notebooks themselves through nbmake (`pytest` collects notebooks/ too)."""

import glob
import os

import jupytext
import nbformat
import pytest

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")
PAIRS = sorted(glob.glob(os.path.join(NOTEBOOKS, "*.py")))
PAIRS = [p for p in PAIRS if os.path.basename(p) not in ("conftest.py", "colab_install.py")]


def test_the_six_notebooks_exist():
    names = {os.path.basename(p)[:-3] for p in PAIRS}
    want = {"quickstart", "lstm_internals", "sentiment", "translation", "speech", "qa"}
    assert names == want


@pytest.mark.parametrize("py", PAIRS, ids=os.path.basename)
def test_notebook_matches_its_py_and_has_no_outputs(py):
    ipynb = py[:-3] + ".ipynb"
    assert os.path.exists(ipynb), f"run: jupytext --to ipynb {py}"
    nb = nbformat.read(ipynb, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{ipynb}: clear outputs"
    want = [(c.cell_type, c.source) for c in jupytext.read(py).cells]
    have = [(c.cell_type, c.source) for c in nb.cells]
    assert have == want, f"{ipynb} differs from {py}: run jupytext --sync {py}"
