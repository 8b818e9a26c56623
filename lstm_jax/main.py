"""Entry point: parses flags and calls the engine. Nothing else lives here.

python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding
python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding --mode=eval
python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding --mode=predict
"""

from __future__ import annotations

import sys

from absl import app, flags, logging
from ml_collections import config_flags

from lstm_jax.errors import LstmJaxError

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file("config", None, "Experiment config file.", lock_config=True)
flags.DEFINE_string("workdir", None, "Directory for checkpoints, logs and the config used.")
flags.DEFINE_enum("mode", "train", ["train", "eval", "predict"], "What to do with the workdir.")
flags.DEFINE_string("input", None, "predict: a file of inputs, one per line ('-' for stdin).")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv: list[str]) -> None:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every file it touches at INFO
    from lstm_jax import train

    try:
        if FLAGS.mode == "train":
            train.train_and_evaluate(FLAGS.config, FLAGS.workdir)
        elif FLAGS.mode == "eval":
            train.evaluate(FLAGS.config, FLAGS.workdir)
        else:
            lines: list[str] = []
            if FLAGS.input == "-":
                lines = [line.rstrip("\n") for line in sys.stdin]
            elif FLAGS.input:
                with open(FLAGS.input, encoding="utf-8") as f:
                    lines = [line.rstrip("\n") for line in f]
            lines += argv[1:]
            train.predict(FLAGS.config, FLAGS.workdir, lines)
    except LstmJaxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


def _one_line(e: BaseException) -> str:
    while e.args and isinstance(e.args[0], BaseException):  # config_flags wraps KeyError
        e = e.args[0]
    text = str(e.args[0]) if e.args else str(e)
    return " ".join(text.replace("\\n", " ").replace("\\'", "'").split())


def parse_flags(argv: list[str]) -> list[str]:
    """absl flag parsing, with config mistakes (unknown key, wrong type) as one line."""
    try:
        return FLAGS(argv)
    except flags.Error as e:
        sys.exit(f"error: {_one_line(e)}; see --helpfull")
    except (KeyError, AttributeError) as e:
        sys.exit(f"error: unknown config key {_one_line(e)} (all keys: configs/default.py)")
    except (TypeError, ValueError) as e:
        sys.exit(f"error: bad config override: {_one_line(e)}")


if __name__ == "__main__":
    app.run(main, flags_parser=parse_flags)
