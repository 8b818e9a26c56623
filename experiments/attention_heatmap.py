"""Attention weights of a trained translation workdir for one sentence, as a PNG heatmap.

    python -m experiments.attention_heatmap --config=configs/multi30k_de_en.py \
        --workdir=/tmp/m30k_de_en --out=experiments/results/attention.png \
        "Ein Mann fährt mit dem Fahrrad eine Straße entlang."

Rows are the beam-search output's tokens, columns the source tokens. Needs the
``plots`` extra (matplotlib).
"""

from __future__ import annotations

from absl import app, flags
from ml_collections import config_flags

from lstm_jax.train import load

FLAGS = flags.FLAGS
config_flags.DEFINE_config_file("config", None, "The translate config.", lock_config=True)
flags.DEFINE_string("workdir", None, "A trained translation workdir.")
flags.DEFINE_string("out", "attention.png", "Where to write the PNG.")
flags.mark_flags_as_required(["config", "workdir"])


def draw(src: list[str], tgt: list[str], weights):
    """A matplotlib figure of ``weights: float[len(tgt), len(src)]`` (``task.attention_map``)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(0.5 * len(src) + 2, 0.45 * len(tgt) + 1.5))
    ax.imshow(weights, cmap="Greys", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(src)), src, rotation=60, ha="right")
    ax.set_yticks(range(len(tgt)), tgt)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    fig.tight_layout()
    return fig


def main(argv: list[str]) -> None:
    sentence = " ".join(argv[1:]) or "Ein Mann fährt mit dem Fahrrad eine Straße entlang."
    task, model = load(FLAGS.config, FLAGS.workdir)
    src, tgt, weights = task.attention_map(model, sentence)
    import matplotlib

    matplotlib.use("Agg")
    draw(src, tgt, weights).savefig(FLAGS.out, dpi=120)
    print(f"{sentence} -> {task.detokenize(task.data.tgt_vocab.encode(tgt)[0])}; wrote {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
