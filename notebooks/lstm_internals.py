# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Inside a trained LSTM: gates and the memory cell
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/lstm-jax/lstm_jax/blob/main/notebooks/lstm_internals.ipynb)
#
# Why can an LSTM carry a number across a hundred steps when a plain RNN cannot? Its cell
# state is updated additively, `c_t = f_t * c_{t-1} + i_t * g_t`: with the forget gate
# `f` near 1 and the input gate `i` near 0 the cell holds its value unchanged, and the
# gradient flows back through it unchanged too (Hochreiter & Schmidhuber 1997). Here we
# train an LSTM on the adding problem and watch its gates do exactly that.

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

# %% [markdown]
# ## Train a small LSTM on the adding problem
#
# Input channel 0 holds random values, channel 1 marks two of them (one in each half);
# the target is the sum of the two marked values. A small layer keeps the plots readable.

# %%
from configs import adding
from lstm_jax.train import trainer

config = adding.get_config()
config.model.hidden_features = 16
config.data.length = 50 if SMALL else 100
config.num_train_steps = 800 if SMALL else 3000
config.optimizer.learning_rate = 1e-2
config.eval_every = config.checkpoint_every = 200
workdir = tempfile.mkdtemp(prefix="internals_")
test = trainer.train_and_evaluate(config, workdir)
assert test["mse"] < 0.05, test  # well below 1/6: it has learned to remember

# %% [markdown]
# ## Replay sequences through the trained cell
#
# `lstm_jax.nn.inspect.lstm_gates` replays the layer's recurrence step by step and
# returns its input, forget and output gates, the candidate `g`, the cell state `c` and
# the output `h`, each `[batch, time, hidden]`.

# %%
from lstm_jax.data import synthetic
from lstm_jax.nn.inspect import lstm_gates

task, model = trainer.load(config, workdir)
batch = synthetic.adding_batch(np.random.default_rng(3), 256, config.data.length)
x = batch["inputs"]
gates = {k: np.asarray(v) for k, v in lstm_gates(model.rnn, x).items()}
# what a memory must hold at step t: the sum of the values marked so far
running_sum = np.cumsum(x[..., 0] * x[..., 1], axis=1)
print(f"prediction {float(model(x[:1])[0]):.3f} for target {batch['targets'][0]:.3f}")

# %% [markdown]
# Which units hold the memory? Over 256 sequences, rank the units by how closely their
# cell state follows the running sum of the marked values.

# %%
hidden = gates["c"].shape[-1]
corr = np.array(
    [np.corrcoef(gates["c"][..., u].ravel(), running_sum.ravel())[0, 1] for u in range(hidden)]
)
memory_units = np.argsort(-np.abs(corr))[:3]
for u in memory_units:
    print(f"unit {u}: correlation with the running sum {corr[u]:+.2f}")

# %% [markdown]
# One sequence, the three memory units (dotted lines: the marked steps; black: the
# running sum the network must carry to the end).

# %%
seq = 0
marks = np.flatnonzero(x[seq, :, 1])
steps = np.arange(config.data.length)
fig, axes = plt.subplots(5, 1, figsize=(10, 11), sharex=True)
axes[0].bar(steps, x[seq, :, 0], color=np.where(x[seq, :, 1] > 0, "C3", "0.7"))
axes[0].set_ylabel("input value\n(red: marked)")
labels = {"c": "cell state c", "i": "input gate i", "f": "forget gate f", "o": "output gate o"}
for name, ax in zip(labels, axes[1:], strict=True):
    for u in memory_units:
        ax.plot(steps, gates[name][seq, :, u], label=f"unit {u}")
    for m in marks:
        ax.axvline(m, color="C3", lw=0.8, ls=":")
    ax.set_ylabel(labels[name])
axes[1].twinx().plot(steps, running_sum[seq], "k", lw=1)
axes[1].legend()
axes[-1].set_xlabel("step")
plt.tight_layout()
plt.show()

# %% [markdown]
# The numbers behind the picture, over all 256 sequences: how far each memory unit's
# cell state moves at a marked step and at any other step, and what its gates do.

# %%
marked = x[..., 1] > 0
step_change = np.abs(np.diff(gates["c"], axis=1, prepend=0.0))
for u in memory_units:
    dc, i_u, f_u = step_change[..., u], gates["i"][..., u], gates["f"][..., u]
    print(
        f"unit {u}: |change of c| {dc[marked].mean():.3f} at marks vs {dc[~marked].mean():.3f} "
        f"elsewhere; input gate {i_u[marked].mean():.2f} vs {i_u[~marked].mean():.2f}; "
        f"forget gate {f_u[~marked].mean():.2f} between marks"
    )

# %% [markdown]
# The memory units' cell states step at the marks and stay nearly flat between them:
# the network stores each marked value and carries it to the end. How it holds the value
# is worth a look. The textbook picture is a forget gate at 1 and an input gate at 0
# between the marks, leaving the cell untouched. A trained network need not find exactly
# that: where the forget gate sits below 1, the cell is topped up every step
# (`c = f c + i g` settles where the decay and the input balance), and it is that balance
# that the stored value shifts. Either way the additive update is what lets the gradient
# reach the marked steps, which a tanh RNN, whose state is squashed through a matrix
# every step, does not manage (see `experiments/long_range`).

# %% [markdown]
# All units at once for the same sequence: the forget gate over time (rows are units). A
# row that stays bright is a unit that keeps its memory across the whole sequence.

# %%
plt.figure(figsize=(10, 3))
plt.imshow(gates["f"][seq].T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
plt.colorbar(label="forget gate")
for m in marks:
    plt.axvline(m, color="C3", lw=1)
plt.xlabel("step")
plt.ylabel("unit")
plt.show()
