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
# # Sentiment classification with a BiLSTM
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstm-jax/lstm_jax/blob/main/notebooks/sentiment.ipynb)
#
# Train the SST-2 classifier of `configs/sst2.py` (or load a workdir you trained with
# `python -m lstm_jax.main --config=configs/sst2.py --workdir=/tmp/sst2`), classify new
# sentences, see which words its attention pooling weighs, and read the confusion matrix.

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
import json
import tempfile

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

from lstm_jax import notebook

SMALL = notebook.setup()
WORKDIR = os.environ.get("SST2_WORKDIR", "")  # a trained configs/sst2.py workdir, or train here

# %% [markdown]
# ## Data
#
# GLUE's SST-2: 67,349 training phrases and 872 dev sentences (downloaded on Colab).
# Here the dev set is both validation and test; `configs/sst2.py` tests on SST's own
# 1,821 test sentences. Without the files, a generated toy set stands in: filler words
# with one cue word ("good", "awful", ...) that decides the label.

# %%
from configs import sst2

config = sst2.get_config()
glue = "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"
train = notebook.data_file("sst2/train.tsv", glue, "SST-2/train.tsv")
dev = notebook.data_file("sst2/dev.tsv", glue, "SST-2/dev.tsv")
if train and dev:
    config.data.train, config.data.valid, config.data.test = train, dev, dev
else:
    rng = np.random.default_rng(0)
    filler = ["the", "film", "was", "a", "plot", "story", "and", "it", "very", "quite"]
    cues = {0: ["bad", "dull", "awful"], 1: ["good", "great", "fun"]}
    toy = tempfile.mkdtemp(prefix="toy_sst_")
    for split, n in (("train", 2000), ("dev", 200)):
        rows = ["sentence\tlabel"]
        for _ in range(n):
            label = int(rng.integers(2))
            words = list(rng.choice(filler, rng.integers(3, 12)))
            words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(cues[label])))
            rows.append(f"{' '.join(words)}\t{label}")
        with open(os.path.join(toy, f"{split}.tsv"), "w") as f:
            f.write("\n".join(rows) + "\n")
    config.data.train = os.path.join(toy, "train.tsv")
    config.data.valid = config.data.test = os.path.join(toy, "dev.tsv")
print("train:", config.data.train)

# %% [markdown]
# ## Train (or load)
#
# The full config is a BiLSTM 256 with attention pooling over 300-d embeddings, 3 epochs
# (about 4.5 minutes on 2 CPU cores, 85.6% dev accuracy). The small setting trains a
# quarter of the width on 8,000 phrases for one epoch.

# %%
from lstm_jax.train import trainer

if SMALL:
    config.data.train_limit = 8000
    config.model.embed, config.model.hidden_features = 64, 64
    config.num_train_steps = 125  # one epoch of 8,000 at batch 64
    config.eval_every = config.checkpoint_every = 125
    config.log_every = 50
    config.data.pad_multiple = 64  # one batch width, so one compile (SST's longest is 56)
if not WORKDIR:
    WORKDIR = tempfile.mkdtemp(prefix="sst2_")
    test = trainer.train_and_evaluate(config, WORKDIR)
task, model = trainer.load(config, WORKDIR)

# %% [markdown]
# ## Classify new sentences
#
# `predict` prints the class, every class's probability and the text (the same as
# `--mode=predict` on the command line).

# %%
sentences = [
    "a gorgeous , witty , seductive movie .",
    "the plot is nothing but boilerplate clichés .",
    "it is not a bad film at all .",
    "good acting cannot save this dull , awful script .",
]
_ = trainer.predict(config, WORKDIR, sentences)

# %% [markdown]
# ## Which words count?
#
# Attention pooling builds the sentence vector as a weighted mean of the BiLSTM's
# outputs; `TextClassifier.attention_weights` returns those weights.

# %%
from lstm_jax.data import text

tokenized = [task.data.tokenizer(s) for s in sentences]
ids = [text.encode_input(task.data.vocab, w) for w in tokenized]
lengths = np.array([len(i) for i in ids])
tokens = np.zeros((len(ids), lengths.max()), np.int32)  # one padded batch: one call
for row, i in enumerate(ids):
    tokens[row, : len(i)] = i
weights = np.asarray(model.attention_weights(jnp.asarray(tokens), jnp.asarray(lengths)))
fig, axes = plt.subplots(len(sentences), 1, figsize=(9, 1.3 * len(sentences)))
for ax, words, n, w in zip(axes, tokenized, lengths, weights, strict=True):
    ax.imshow(w[None, :n], cmap="Reds", aspect="auto", vmin=0)
    ax.set_xticks(range(len(words)), words, rotation=30, ha="right", fontsize=8)
    ax.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Where it goes wrong
#
# The confusion matrix of the test split (rows: true class, columns: predicted), written
# to the workdir by every evaluation.

# %%
with open(os.path.join(WORKDIR, "confusion_test.json")) as f:
    confusion = json.load(f)
print(json.dumps(confusion, indent=1)[:600])
