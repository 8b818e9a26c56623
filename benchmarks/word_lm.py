"""End-to-end training step of the PTB word LMs: the engine's own step against PyTorch's
word_language_model example, side by side in one process.

Ours is exactly what ``python -m lstm_jax.main --config=configs/ptb_{small,medium}.py``
runs each step: the config's model, loss, gradient clipping and SGD update in the jitted
``Run.train_step``, fed by the task's grain pipeline (``next`` + sharding are timed too).
The corpus is random words over a 10k vocabulary (PTB's size), written to a temp dir:
speed does not depend on which words they are. PyTorch runs the loop body of
pytorch/examples' word_language_model/main.py ``train()`` with the same sizes (embedding,
``nn.LSTM`` with dropout between layers, dropout on the embedding and LSTM output, linear
decoder, cross-entropy, ``clip_grad_norm_``, the manual SGD update) on CPU (oneDNN).
``--dtypes float32,bfloat16`` also times ``config.dtype = "bfloat16"`` and, beside it,
PyTorch under ``torch.autocast("cpu", torch.bfloat16)``. Both sides run in this process
with glibc told to keep freed memory (``lstm_jax/malloc.py``), which PyTorch's CPU
allocator benefits from as well. Rounds alternate between the sides, each side's turn
starting with 3 untimed steps (the first steps after a switch run slower: measured 74 ms
against 54 ms for ours at 5 steps a turn); medians over the rounds in which other
processes used under 10% of the CPUs.

    python benchmarks/word_lm.py                      # small and medium, float32
    python benchmarks/word_lm.py --configs small --dtypes float32,bfloat16
"""

from __future__ import annotations

import argparse
import os

# PyTorch's OpenMP threads otherwise spin for up to ~200 ms after each parallel op, taking
# the two cores from whichever side runs next in an interleaved round (measured: ours 74 ->
# 59 ms/step on ptb_small; PyTorch itself no slower). Set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import importlib
import platform
import statistics
import sys
import tempfile
import time

import jax
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lstm_layer import Load

from lstm_jax.data import batching
from lstm_jax.malloc import keep_freed_memory
from lstm_jax.train import sharding
from lstm_jax.train.run import Run

VOCAB = 10_000


def write_corpus(root: str, tokens: int = 120_000, seed: int = 0) -> str:
    """Random sentences over exactly VOCAB words, as ptb.{train,valid,test}.txt."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(VOCAB - 1)])  # + <eos> = VOCAB types
    for split, n in (("train", tokens), ("valid", 2_000), ("test", 2_000)):
        ids = rng.integers(0, len(words), n)
        ids[: len(words)] = np.arange(len(words)) if split == "train" else ids[: len(words)]
        lines = [" ".join(words[ids[i : i + 20]]) for i in range(0, n, 20)]
        with open(os.path.join(root, f"ptb.{split}.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
    return root


def config(size: str, data_dir: str, dtype: str):
    c = importlib.import_module(f"configs.ptb_{size}").get_config()
    c.data.dir = data_dir
    c.dtype = dtype
    return c


def ours(size: str, data_dir: str, dtype: str):
    c = config(size, data_dir, dtype)
    run = Run(c, tempfile.mkdtemp())
    it = batching.iterate(run.data.train(c.seed))
    controls = {"lr_scale": np.float32(1), "average": np.float32(0)}

    def step():
        batch = sharding.shard_batch(next(it), run.mesh)
        run.state, metrics = run.train_step(run.state, batch, controls)
        jax.block_until_ready(metrics)

    return step, c


def pytorch(c, autocast: bool):
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    m = c.model
    drop, hidden, layers = m.input_dropout, m.hidden_features, m.num_layers
    bptt, batch = c.data.bptt, c.batch_size

    class TorchLM(nn.Module):  # word_language_model/model.py's RNNModel, LSTM, untied
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(drop)
            self.encoder = nn.Embedding(VOCAB, m.embed)
            self.rnn = nn.LSTM(m.embed, hidden, layers, dropout=m.hidden_dropout)
            self.decoder = nn.Linear(hidden, VOCAB)

        def forward(self, tokens, h):
            out, h = self.rnn(self.drop(self.encoder(tokens)), h)
            return self.decoder(self.drop(out)), h

    model = TorchLM()
    model.train()
    criterion = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    hidden_state = (torch.zeros(layers, batch, hidden), torch.zeros(layers, batch, hidden))
    lr, clip = c.optimizer.learning_rate, c.optimizer.clip_norm

    def step():  # the loop body of word_language_model/main.py's train()
        nonlocal hidden_state
        data = torch.from_numpy(rng.integers(0, VOCAB, (bptt + 1, batch)))
        hidden_state = tuple(h.detach() for h in hidden_state)
        model.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            output, hidden_state = model(data[:-1], hidden_state)
            loss = criterion(output.view(-1, VOCAB).float(), data[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        loss.item()

    return step


def measure(sides: dict, rounds: int, steps: int, max_load: float, settle: int = 3):
    """Medians over quiet rounds; each side's turn starts with ``settle`` untimed steps,
    since the first steps after the other side ran are slower (its threads and caches)."""
    for step in sides.values():  # compile / warm up
        for _ in range(3):
            step()
    load, times, quiet = Load(), {k: [] for k in sides}, 0
    for _ in range(rounds):
        load.start()
        rnd = {k: [] for k in sides}
        for name, step in sides.items():
            for _ in range(settle):
                step()
            for _ in range(steps):
                t0 = time.perf_counter()
                step()
                rnd[name].append(time.perf_counter() - t0)
        if load.stop() <= max_load:
            quiet += 1
            for k in sides:
                times[k] += rnd[k]
    return {k: 1e3 * statistics.median(v) for k, v in times.items() if v}, quiet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", default="small,medium", help="ptb_<name> configs")
    ap.add_argument("--dtypes", default="float32", help="float32 and/or bfloat16")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=10, help="timed steps per side per round")
    ap.add_argument("--max-load", type=float, default=0.1)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    keep_freed_memory()
    try:
        import torch
    except ImportError:
        torch = None
        print("torch not installed (pip install '.[peers]'): timing ours only")
    data_dir = write_corpus(tempfile.mkdtemp())
    dtypes = args.dtypes.split(",")
    print(
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"jax {jax.__version__}" + (f", torch {torch.__version__}" if torch else "")
    )
    print("| config | implementation | ms / step | tokens/s | time / PyTorch float32 |")
    print("|---|---|---:|---:|---:|")
    for size in args.configs.split(","):
        sides, c = {}, None
        for dtype in dtypes:
            sides[f"ours {dtype}"], c = ours(size, data_dir, dtype)
        if torch is not None and not args.no_torch:
            sides["PyTorch float32"] = pytorch(c, autocast=False)
            if "bfloat16" in dtypes:
                sides["PyTorch bfloat16 autocast"] = pytorch(c, autocast=True)
        ms, quiet = measure(sides, args.rounds, args.steps, args.max_load)
        if quiet < 2:
            print(f"| ptb_{size} | refused: only {quiet} quiet rounds (machine busy) | | | |")
            continue
        ref = ms.get("PyTorch float32")
        tokens = c.batch_size * c.data.bptt
        for name, v in ms.items():
            ratio = f"{v / ref:.2f}x" if ref else "-"
            print(
                f"| ptb_{size} ({c.batch_size} x {c.data.bptt}, {c.model.num_layers} x "
                f"{c.model.hidden_features}) | {name} | {v:.1f} | {tokens / (v / 1e3):,.0f} "
                f"| {ratio} |",
                flush=True,
            )
        print(f"<!-- ptb_{size}: {quiet} quiet rounds of {args.steps} steps per side -->")


if __name__ == "__main__":
    main()
