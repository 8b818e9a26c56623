"""End-to-end training speed of a PTB-sized word LM: ours against PyTorch, side by side.

Both sides are the model of pytorch/examples' word_language_model at its "medium" size:
embedding (10k x 650), a 2-layer LSTM of 650 units with dropout 0.5 between layers,
dropout 0.5 on the embedding and the LSTM output, a linear decoder, softmax cross-entropy,
plain SGD (lr 20) with gradient clipping at 0.25 and truncated BPTT (batch 20 x 35 steps,
the state carried from batch to batch without gradients). Token ids are random: speed
does not depend on them. Rounds alternate between the two, medians over quiet rounds.

    python benchmarks/word_lm.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lstm_layer import Load

from lstm_jax.nn import LSTM

VOCAB, HIDDEN, LAYERS, BATCH, BPTT, DROPOUT, LR, CLIP = 10_000, 650, 2, 20, 35, 0.5, 20.0, 0.25


class WordLM(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.embed = nnx.Embed(VOCAB, HIDDEN, rngs=rngs)
        self.drop = nnx.Dropout(DROPOUT, rngs=rngs)
        self.lstm = LSTM(HIDDEN, HIDDEN, num_layers=LAYERS, dropout=DROPOUT, rngs=rngs)
        self.decoder = nnx.Linear(HIDDEN, VOCAB, rngs=rngs)

    def __call__(self, tokens, state):
        x = self.drop(self.embed(tokens))
        y, state = self.lstm(x, initial_state=state)
        return self.decoder(self.drop(y)), state


def jax_side():
    model = WordLM(nnx.Rngs(0))
    tx = optax.chain(optax.clip_by_global_norm(CLIP), optax.sgd(LR))
    opt = nnx.Optimizer(model, tx, wrt=nnx.Param)

    @nnx.jit(donate_argnums=(0, 1))
    def step(model, opt, tokens, targets, state):
        def loss_fn(model):
            logits, new_state = model(tokens, state)
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
            return loss, new_state

        (loss, new_state), grads = nnx.value_and_grad(loss_fn, has_aux=True)(model)
        opt.update(model, grads)
        return loss, jax.lax.stop_gradient(new_state)

    rng = np.random.default_rng(0)
    n = LAYERS
    state = (jnp.zeros((n, BATCH, HIDDEN)), jnp.zeros((n, BATCH, HIDDEN)))

    def run():
        nonlocal state
        data = rng.integers(0, VOCAB, (BATCH, BPTT + 1))
        loss, state = step(model, opt, data[:, :-1], data[:, 1:], state)
        jax.block_until_ready(loss)

    return run


def torch_side():
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)

    class TorchLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(DROPOUT)
            self.encoder = nn.Embedding(VOCAB, HIDDEN)
            self.rnn = nn.LSTM(HIDDEN, HIDDEN, LAYERS, dropout=DROPOUT)
            self.decoder = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens, hidden):
            out, hidden = self.rnn(self.drop(self.encoder(tokens)), hidden)
            return self.decoder(self.drop(out)), hidden

    model = TorchLM()
    model.train()
    criterion = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    hidden = (torch.zeros(LAYERS, BATCH, HIDDEN), torch.zeros(LAYERS, BATCH, HIDDEN))

    def run():  # the loop body of word_language_model/main.py's train()
        nonlocal hidden
        data = torch.from_numpy(rng.integers(0, VOCAB, (BPTT + 1, BATCH)))
        hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        output, hidden = model(data[:-1], hidden)
        loss = criterion(output.view(-1, VOCAB), data[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-LR)
        loss.item()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=5, help="timed steps per side per round")
    ap.add_argument("--max-load", type=float, default=0.1)
    args = ap.parse_args()
    sides = {"ours (JAX)": jax_side()}
    try:
        sides["PyTorch"] = torch_side()
    except ImportError:
        print("torch not installed (pip install '.[peers]'): timing ours only")
    for run in sides.values():  # compile / warm up
        run()
        run()
    load, times = Load(), {k: [] for k in sides}
    quiet = 0
    for _ in range(args.rounds):
        load.start()
        rnd = {k: [] for k in sides}
        for name, run in sides.items():
            for _ in range(args.steps):
                t0 = time.perf_counter()
                run()
                rnd[name].append(time.perf_counter() - t0)
        if load.stop() <= args.max_load:
            quiet += 1
            for k in sides:
                times[k] += rnd[k]
    if quiet < 2:
        sys.exit(f"refused: only {quiet} quiet rounds (machine busy)")
    print(
        f"word LM, batch {BATCH} x {BPTT}, {LAYERS}x{HIDDEN} LSTM, vocab {VOCAB}; "
        f"{quiet} quiet rounds of {args.steps} steps"
    )
    print("| implementation | ms / batch | tokens/s | tokens/s vs PyTorch |")
    print("|---|---:|---:|---:|")
    ms = {k: 1e3 * statistics.median(v) for k, v in times.items()}
    ref = ms.get("PyTorch")
    for k, v in ms.items():
        ratio = f"{ref / v:.2f}x" if ref else "-"
        print(f"| {k} | {v:.1f} | {BATCH * BPTT / (v / 1e3):,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
