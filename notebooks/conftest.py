"""CI runs every notebook (nbmake) at its small sizes, on the machine's own devices: the
kernels must not inherit the 8 fake CPU devices that tests/conftest.py sets up."""

import os

SAVED: dict[str, str | None] = {}


def pytest_runtest_setup(item):
    SAVED.update({k: os.environ.get(k) for k in ("XLA_FLAGS", "LSTM_JAX_SMALL")})
    os.environ.pop("XLA_FLAGS", None)
    os.environ["LSTM_JAX_SMALL"] = "1"


def pytest_runtest_teardown(item):
    for k, v in SAVED.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
