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
# # lstm_jax quickstart
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstm-jax/lstm_jax/blob/main/notebooks/quickstart.ipynb)
#
# Train the default job (an LSTM on the adding problem), change a config inline, then
# train a small character language model, plot its curves and sample from it. On a
# laptop CPU this takes a minute or two; on a Colab GPU or TPU it trains the full
# sizes on every device.

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

import matplotlib.pyplot as plt

from lstm_jax import notebook

SMALL = notebook.setup()  # small sizes without an accelerator, or with LSTM_JAX_SMALL=1

# %% [markdown]
# ## 1. The default job: the adding problem
#
# Each sequence holds random numbers and marks two of them; the target is their sum, read
# after the last step. Always predicting 1 scores MSE 1/6 = 0.1667, the best a model
# without memory can do. `configs/adding.py` is the same config the command line runs:
#
#     python -m lstm_jax.main --config=configs/adding.py --workdir=/tmp/adding
#
# A config is an `ml_collections.ConfigDict`; change any key inline before training.

# %%
from configs import adding
from lstm_jax.train import trainer

config = adding.get_config()
if SMALL:  # shorter sequences, fewer steps: about 20 s on 2 CPU cores
    config.data.length = 50
    config.num_train_steps = 600
    config.optimizer.learning_rate = 1e-2
config.eval_every = config.checkpoint_every = 100
print(config.model)

adding_dir = tempfile.mkdtemp(prefix="adding_")
test = trainer.train_and_evaluate(config, adding_dir)
assert test["mse"] < 1 / 6, test  # below the memoryless baseline: the LSTM remembers

# %% [markdown]
# Every run writes `metrics.jsonl` (one JSON object per logged step and split), TensorBoard
# events and its checkpoints into the workdir. The curves:


# %%
def curves(workdir, metric):
    with open(os.path.join(workdir, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    for split in ("train", "valid"):
        pts = [(r["step"], r[metric]) for r in records if r["split"] == split and metric in r]
        plt.plot(*zip(*pts, strict=True), marker="o" if split == "valid" else None, label=split)
    plt.xlabel("step")
    plt.ylabel(metric)
    plt.yscale("log")
    plt.legend()
    plt.show()


curves(adding_dir, "mse")

# %% [markdown]
# A trained workdir describes itself (its `config.json` and best checkpoint), so
# `lstm_jax.load` needs nothing else, as Keras' `load_model` or Hugging Face's `pipeline`:
# `predict` and `evaluate` run the same code as `--mode=predict` and `--mode=eval`.

# %%
import lstm_jax

trained = lstm_jax.load(adding_dir)
print(trained.evaluate("test"))
print("\n".join(trained.predict([])[:3]))

# %% [markdown]
# ## 2. A character language model
#
# `configs/char_shakespeare.py` is a 2 x 256 LSTM on Tiny Shakespeare. Without the file
# (and off Colab, where it is downloaded) this notebook trains on the repository's own
# README instead, so it runs anywhere.

# %%
from configs import char_shakespeare

config = char_shakespeare.get_config()
config.data.file = notebook.data_file(
    "tinyshakespeare/input.txt",
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
) or os.path.abspath("README.md")
if SMALL:  # one 128-unit layer, 200 steps: about 15 s on 2 CPU cores
    config.model.num_layers = 1
    config.model.hidden_features = 128
    config.data.bptt = 50
    config.data.split = "0.98,0.01,0.01"
    config.num_train_steps = 200
    config.eval_every = config.checkpoint_every = 100
    config.log_every = 50
print(f"training on {config.data.file}")
lm_dir = tempfile.mkdtemp(prefix="char_lm_")
test = trainer.train_and_evaluate(config, lm_dir)
print(f"test: {test['bpc']:.3f} bits per character")

# %%
curves(lm_dir, "nll")

# %% [markdown]
# ## 3. Sample from it
#
# `predict` restores the best checkpoint and continues each prompt; `predict.temperature`
# (0 = greedy), `predict.top_k` and `predict.seed` control the sampling.

# %%
lm = lstm_jax.load(lm_dir, {"predict.length": 200, "predict.temperature": 0.7})
for line in lm.predict(["ROMEO:" if "shakespeare" in config.data.file else "The "]):
    print(line)
