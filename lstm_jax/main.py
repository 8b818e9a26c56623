"""Entry point: parses flags and calls the engine. Nothing else lives here.

python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding
python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding --mode=eval
python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding --mode=predict
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

from absl import app, flags, logging
from ml_collections import config_flags

from lstm_jax.errors import LstmJaxError, TrainingInterrupted

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file(
    "config", None, "Experiment config file (eval / predict: the workdir's own).", lock_config=True
)
flags.DEFINE_string("workdir", None, "Directory for checkpoints, logs and the config used.")
flags.DEFINE_enum("mode", "train", ["train", "eval", "predict"], "What to do with the workdir.")
flags.DEFINE_string("input", None, "predict: a file of inputs, one per line ('-' for stdin).")
flags.DEFINE_bool("helpconfig", False, "Print every key of --config with its value and comment.")


def main(argv: list[str]) -> None:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every file it touches at INFO
    if FLAGS.helpconfig and FLAGS.config is not None:
        from lstm_jax.train.config_help import config_help

        print(config_help(FLAGS.config, _config_path(sys.argv)))
        return
    if not FLAGS.workdir:
        sys.exit("error: --workdir is required: the folder for checkpoints, logs and config")
    if FLAGS.mode == "train" and FLAGS.config is None:
        sys.exit("error: --config is required to train, e.g. --config=configs/adding.py")
    from lstm_jax import keys, train
    from lstm_jax.train.saved import workdir_config

    try:
        if FLAGS.mode == "train":
            train.train_and_evaluate(FLAGS.config, FLAGS.workdir)
            return
        # eval and predict: the workdir's own config, plus only the overrides given
        given = [a.split("=")[0][len("--config.") :] for a in sys.argv if a.startswith("--config.")]
        if given and FLAGS.config is None:
            sys.exit("error: --config.KEY overrides need --config=FILE (the one trained with)")
        overrides = {k: keys.get(FLAGS.config, k) for k in given}
        config = workdir_config(FLAGS.workdir, overrides)
        if FLAGS.mode == "eval":
            train.evaluate(config, FLAGS.workdir)
        else:
            lines: list[str] = []
            if FLAGS.input == "-":
                lines = [line.rstrip("\n") for line in sys.stdin]
            elif FLAGS.input:
                with open(FLAGS.input, encoding="utf-8") as f:
                    lines = [line.rstrip("\n") for line in f]
            lines += argv[1:]
            train.predict(config, FLAGS.workdir, lines)
    except TrainingInterrupted as e:  # saved; exit as a process killed by TERM does
        print(e, flush=True)
        sys.exit(128 + signal.SIGTERM)
    except LstmJaxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


def _one_line(e: BaseException) -> str:
    while e.args and isinstance(e.args[0], BaseException):  # config_flags wraps KeyError
        e = e.args[0]
    text = str(e.args[0]) if e.args else str(e)
    return " ".join(text.replace("\\n", " ").replace("\\'", "'").split())


def _config_path(argv: list[str]) -> str | None:
    """The file ``--config`` names (without a ``:variant``), as given."""
    for i, arg in enumerate(argv):
        if arg.startswith("--config="):
            return arg.split("=", 1)[1].split(":")[0]
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1].split(":")[0]
    return None


def _config_file_error(path: str, e: BaseException) -> str:
    """A config file that does not load: its path, line and the Python error, in one line."""
    if isinstance(e, SyntaxError):
        return f"config file {path} line {e.lineno}: {e.msg}; fix the Python syntax there"
    tb = traceback.extract_tb(e.__traceback__)
    lines = [
        f.lineno for f in tb if os.path.exists(f.filename) and os.path.samefile(f.filename, path)
    ]
    where = f" line {lines[-1]}" if lines else ""
    error = f"{type(e).__name__}: {_one_line(e)}"
    return f"config file {path}{where} raised {error}; fix get_config() there"


def parse_flags(argv: list[str]) -> list[str]:
    """absl flag parsing, with config mistakes (missing or broken file, unknown key,
    wrong type) as one line."""
    given = {a.split("=")[0] for a in argv if a.startswith("--config.")}
    if {"--config.num_epochs", "--config.num_train_steps"} <= given:
        sys.exit("error: give --config.num_epochs or --config.num_train_steps, not both")
    path = _config_path(argv)
    if path and not os.path.isfile(path):
        sys.exit(
            f"error: config file {path!r} does not exist (paths are relative to "
            f"{os.getcwd()}; the configs are in configs/ of the repository)"
        )
    try:
        return FLAGS(argv)
    except flags.Error as e:
        sys.exit(f"error: {_one_line(_own_error(e))}; see --helpfull")
    except (KeyError, AttributeError) as e:
        sys.exit(f"error: unknown config key {_one_line(e)} (all keys: configs/default.py)")
    except (TypeError, ValueError) as e:
        if path and _raised_in(e, path):
            sys.exit(f"error: {_config_file_error(path, e)}")
        sys.exit(f"error: bad config override: {_one_line(e)}")
    except Exception as e:  # the config file itself failed to load
        if path and (isinstance(e, SyntaxError) or _raised_in(e, path)):
            sys.exit(f"error: {_config_file_error(path, e)}")
        raise


def _own_error(e: BaseException) -> BaseException:
    """A config's own check (a bad ``:variant``) raises one of our errors; config_flags wraps
    it with the traceback in its text. The original, chained below, says it in one line."""
    original = e
    while (e.__cause__ or e.__context__) is not None:
        e = e.__cause__ or e.__context__
        if isinstance(e, LstmJaxError) and "Traceback" not in str(e):
            return e
    return original


def _raised_in(e: BaseException, path: str) -> bool:
    return isinstance(e, SyntaxError) or any(
        os.path.exists(f.filename) and os.path.samefile(f.filename, path)
        for f in traceback.extract_tb(e.__traceback__)
    )


if __name__ == "__main__":
    app.run(main, flags_parser=parse_flags)
