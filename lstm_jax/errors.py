"""The project's error types: every user mistake raises one of these.

Each message is one line that names the problem and the fix. ``lstm_jax.main``
prints them without a traceback and exits non-zero; anything else escaping is a
bug in lstm_jax, not in the user's input.
"""


class LstmJaxError(Exception):
    """Base class for user-facing errors."""


class ConfigError(LstmJaxError, ValueError):
    """A config key, type or value is wrong."""


class ShapeError(LstmJaxError, ValueError):
    """An array has the wrong rank, size or structure for the layer it is fed to."""


class DataError(LstmJaxError, ValueError):
    """A data file or data set is missing, empty or malformed."""


class CheckpointError(LstmJaxError, ValueError):
    """A checkpoint or state dict does not fit the model or workdir."""


class TrainingDivergedError(LstmJaxError):
    """The loss became NaN or inf; the last good checkpoint is kept."""


class WorkdirInUseError(LstmJaxError):
    """Another live run holds the workdir's lock."""


class TrainingInterrupted(LstmJaxError):
    """SIGTERM: the state was saved; the same command resumes. ``lstm_jax.main`` exits 143."""
