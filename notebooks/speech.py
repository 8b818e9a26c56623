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
# # Speech recognition with a BiLSTM and CTC
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstm-jax/lstm_jax/blob/main/notebooks/speech.ipynb)
#
# Train the connected-digit recognizer of `configs/fsdd_connected.py` (or load a workdir
# you trained with `python -m lstm_jax.main --config=configs/fsdd_connected.py
# --workdir=/tmp/fsdd_connected`), look at its log-mel input and at the CTC posteriors
# over time, and read the transcripts by best path and by beam search.

# %%
# On Colab: clone lstm_jax, install JAX for this runtime's accelerator (a minute or two).
import os
import subprocess
import sys

if "google.colab" in sys.modules and not os.path.exists("lstm_jax"):
    subprocess.run(["git", "clone", "-q", "https://github.com/lstm-jax/lstm_jax"], check=True)
    subprocess.run([sys.executable, "lstm_jax/notebooks/colab_install.py"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "lstm_jax[audio]"])
    sys.path.insert(0, os.path.abspath("lstm_jax"))

# %%
import tempfile

import matplotlib.pyplot as plt
import numpy as np

from lstm_jax import notebook

SMALL = notebook.setup()
WORKDIR = os.environ.get("FSDD_WORKDIR", "")  # a trained fsdd_connected workdir, or train here

# %% [markdown]
# ## Data
#
# The Free Spoken Digit Dataset: 3,000 recordings at 8 kHz, 6 speakers x 10 digits x 50
# repetitions (downloaded on Colab). The config joins 2-7 of them into an utterance with
# short silences between; test utterances are drawn from FSDD's official test recordings
# only. Without the files, synthesized "digits" stand in: a chirp of its own for each
# (`lstm_jax.data.toy_speech`).

# %%
from configs import fsdd_connected

config = fsdd_connected.get_config()
commit = "26eb9aaf76e81b692f806f9140c2d2777410d7a1"
archive = f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/{commit}.zip"
folder = notebook.data_folder(
    "fsdd/recordings", archive, f"free-spoken-digit-dataset-{commit}/recordings/"
)
if folder is None:
    from lstm_jax.data import toy_speech

    folder = toy_speech.recordings(tempfile.mkdtemp(prefix="toy_fsdd_"), digits=10, per=10)
    config.data.test_rule, config.data.valid_rule = "index=0-1", "index=2-2"
config.data.dir = folder
print("recordings:", folder, f"({len(os.listdir(folder))} files)")

# %% [markdown]
# ## Train (or load)
#
# The full config is a 2-layer BiLSTM of 160 units per direction over 3 stacked log-mel
# frames (30 ms per step), 12 epochs of 6,000 utterances, with SpecAugment (see the
# README's speech table for its WER and wall time). The small setting trains one smaller
# layer for 150 steps on 400 utterances of 2-4 digits.

# %%
from lstm_jax.train import trainer

if SMALL:
    config.data.connected_train, config.data.connected_valid = 400, 40
    config.data.connected_test, config.data.max_words = 40, 4
    config.data.pad_multiple = 128  # fewer batch widths: fewer compilations
    config.model.hidden_features, config.model.num_layers = 96, 1
    config.optimizer.learning_rate = 5e-3  # few steps: CTC must find the alignment fast
    config.num_train_steps = config.eval_every = config.checkpoint_every = 150
    config.log_every = 100
if not WORKDIR:
    WORKDIR = tempfile.mkdtemp(prefix="fsdd_")
    test = trainer.train_and_evaluate(config, WORKDIR)
task, model = trainer.load(config, WORKDIR)

# %% [markdown]
# ## The input: log-mel filterbanks
#
# One test utterance: 40 mel bands every 10 ms, normalized with the training frames'
# mean and standard deviation (kept in the workdir as `feature_norm.json`).

# %%
i = int(np.argmax([len(t.split()) for t in task.data.texts["test"]]))
feats = task.data.feats["test"][i]
print("transcript:", task.data.texts["test"][i], "| files:", task.data.ids["test"][i])
plt.figure(figsize=(10, 2.5))
plt.imshow(feats.T, origin="lower", aspect="auto", cmap="magma")
plt.xlabel("frame (10 ms)")
plt.ylabel("mel band")
plt.colorbar()
plt.show()

# %% [markdown]
# ## The CTC posteriors over time
#
# Per output step (3 frames), the probability of each token and of the blank. CTC
# learns to emit each word as a short spike and the blank everywhere else; best-path
# decoding reads the spikes, merging repeats and dropping blanks.

# %%
(log_probs,) = task.log_probs(model, [feats])
probs = np.exp(log_probs)
tokens = task.data.tokens.itos
plt.figure(figsize=(10, 3))
plt.plot(probs[:, 0], "k:", label="blank")
for k in range(1, len(tokens)):
    if probs[:, k].max() > 0.2:
        plt.plot(probs[:, k], label=tokens[k])
plt.xlabel(f"output step ({config.model.stack} frames)")
plt.ylabel("posterior")
plt.legend(ncol=6, fontsize=8)
plt.show()

# %% [markdown]
# ## Transcripts
#
# Best path and prefix beam search (which sums every path of a labelling) against the
# reference; `--mode=predict file.wav ...` does the same for your own recordings.

# %%
for beam in (1, 8):
    (hyp,) = task.transcribe(model, [feats], beam)
    print(f"beam {beam}: {hyp}")
print("reference:", task.data.texts["test"][i])
with open(os.path.join(WORKDIR, "transcripts_test.txt")) as f:
    print("id, reference, hypothesis:\n" + f.read()[:400])
