# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Translation: an LSTM encoder-decoder with attention and beam search
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstm-jax/lstm_jax/blob/main/notebooks/translation.ipynb)
#
# `configs/multi30k_de_en.py` trains a BiLSTM encoder and an attentional LSTM decoder on
# Multi30k German -> English (41.3 BLEU on test2016 in 42 minutes on 2 CPU cores). With
# an accelerator this notebook trains it for a few epochs; on a CPU it trains a toy
# language in a minute instead, or loads a workdir you trained
# (`MT_WORKDIR=/tmp/m30k_de_en`). Then it translates, draws the attention and compares
# beam sizes.

# %%
# On Colab: clone lstm_jax, install JAX for this runtime's accelerator (a minute or two).
import os
import subprocess
import sys

if "google.colab" in sys.modules and not os.path.exists("lstm_jax"):
    subprocess.run(["git", "clone", "-q", "https://github.com/lstm-jax/lstm_jax"], check=True)
    subprocess.run([sys.executable, "lstm_jax/notebooks/colab_install.py"], check=True)
    sys.path.insert(0, os.path.abspath("lstm_jax"))

# %%
import tempfile

import matplotlib.pyplot as plt
import numpy as np

from lstm_jax import notebook

SMALL = notebook.setup()
WORKDIR = os.environ.get("MT_WORKDIR", "")  # a trained configs/multi30k_de_en.py workdir

# %% [markdown]
# ## Data and config
#
# Full sizes: Multi30k (29,000 training pairs; downloaded on Colab), the config as it
# is but for 4 epochs. Small sizes: a toy language whose sentences are 2-7 words of a
# 12-word vocabulary, translated word by word *in reverse order*, so the attention must
# learn to look at the far end of the source.

# %%
from configs import multi30k_de_en

config = multi30k_de_en.get_config()
raw = "https://github.com/multi30k/dataset/raw/master/data/task1/raw/"
names = [f"{s}.{lang}.gz" for s in ("train", "val", "test_2016_flickr") for lang in ("de", "en")]
real = not SMALL and all(notebook.data_file(f"multi30k/{n}", raw + n) for n in names)
if real:
    config.data.dir = os.path.join(notebook.DATA, "multi30k")
    config.num_train_steps = 4 * 454  # 4 epochs
    config.eval_every = config.checkpoint_every = 454
elif not WORKDIR:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(12)]
    toy = tempfile.mkdtemp(prefix="toy_mt_")
    for split, n in (("train", 3000), ("valid", 100), ("test", 100)):
        src = [list(rng.choice(words, rng.integers(2, 8))) for _ in range(n)]
        tgt = [[w.replace("w", "t") for w in reversed(s)] for s in src]
        for lang, rows in (("xx", src), ("yy", tgt)):
            with open(os.path.join(toy, f"{split}.{lang}"), "w") as f:
                f.write("\n".join(" ".join(r) for r in rows) + "\n")
    config.update_from_flattened_dict(
        {
            "data.dir": toy,
            "data.train": "train.{lang}",
            "data.valid": "valid.{lang}",
            "data.test": "test.{lang}",
            "data.source_lang": "xx",
            "data.target_lang": "yy",
            "data.tokenizer": "word",
            "data.max_length": 10,
            "decode.max_length": 10,
            "model.embed": 64,
            "model.hidden_features": 64,
            "model.dropout": 0.0,
            "optimizer.learning_rate": 1e-2,
            "optimizer.warmup_steps": 0,
            "num_train_steps": 300,
            "eval_every": 150,
            "checkpoint_every": 150,
            "log_every": 50,
        }
    )

# %% [markdown]
# ## Train (or load)
#
# Validation decodes greedily and reports sacreBLEU; the best checkpoint by validation
# BLEU is tested with beam search (`decode.beam = 5`).

# %%
from lstm_jax.train import trainer

if not WORKDIR:
    WORKDIR = tempfile.mkdtemp(prefix="mt_")
    trainer.train_and_evaluate(config, WORKDIR)
task, model = trainer.load(config, WORKDIR)
sentences = (
    ["Zwei Hunde spielen im Schnee.", "Ein kleines Mädchen klettert in ein Spielhaus aus Holz."]
    if config.data.source_lang == "de"
    else ["w3 w1 w4 w7", "w0 w5 w5 w2 w9 w11"]
)
_ = trainer.predict(config, WORKDIR, sentences)

# %% [markdown]
# ## Attention
#
# Rows: the output tokens (beam search); columns: the source tokens. Each row is the
# decoder's attention distribution when it produced that token.

# %%
from experiments.attention_heatmap import draw

draw(*task.attention_map(model, sentences[-1]))
plt.show()

# %% [markdown]
# ## Beam search
#
# The same model decoded with beams of 1 (greedy), 2 and 5. `decode.length_penalty` is
# GNMT's alpha: larger values favour longer outputs.

# %%
from lstm_jax.data import text

n = config.data.max_length
ids = [text.encode_input(task.data.src_vocab, task.data.tok_src(s), n) for s in sentences]
for beam in (1, 2, 5):
    for s, t in zip(sentences, task.translate(model, ids, beam), strict=True):
        print(f"beam {beam}: {s}  ->  {t}")
