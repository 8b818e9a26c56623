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
PyTorch under ``torch.autocast("cpu", torch.bfloat16)``. Each side runs in a process of
its own (in one process, PyTorch's OpenMP threads slowed our step by a third, and telling
them to wait passively slowed PyTorch's), with glibc told to keep freed memory
(``lstm_jax/malloc.py``), which PyTorch's CPU allocator benefits from as well. The sides
take turns, each turn starting with 0.3 s of untimed steps; medians over the rounds in
which processes other than the two sides used under 10% of the CPUs.

    python benchmarks/word_lm.py                      # small and medium, float32
    python benchmarks/word_lm.py --configs small --dtypes float32,bfloat16
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time

import jax
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lstm_layer import Load, settle

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


def worker(conn, size: str, data_dir: str, side: str) -> None:
    """One side in its own process, so that neither side's threads (XLA's pool, PyTorch's
    OpenMP team, which spins after its ops) share a process with the other's work. Each
    request is a number of steps; the answer, their times."""
    keep_freed_memory()
    kind, dtype = side.split()
    if kind == "ours":
        step, c = ours(size, data_dir, dtype)
    else:
        c = config(size, data_dir, "float32")
        step = pytorch(c, autocast=dtype == "bfloat16")
    for _ in range(3):  # compile / warm up
        step()
    conn.send((c.batch_size, c.data.bptt, c.model.num_layers, c.model.hidden_features))
    while (n := conn.recv()) > 0:
        settle(step)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        conn.send(times)


def measure(size: str, data_dir: str, sides: list[str], rounds: int, steps: int, max_load):
    """Per-side medians (ms) over the quiet rounds, how many were quiet, and the shape.
    The sides take turns; a round in which processes other than the workers used more
    than ``max_load`` of the CPUs is dropped."""
    ctx = mp.get_context("spawn")
    procs, conns = [], {}
    for side in sides:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=worker, args=(child, size, data_dir, side), daemon=True)
        proc.start()
        procs.append(proc)
        conns[side] = parent
    shape = [conn.recv() for conn in conns.values()][-1]  # every worker sends it
    load, times, quiet = Load([p.pid for p in procs]), {k: [] for k in sides}, 0
    for _ in range(rounds):
        load.start()
        rnd = {}
        for side, conn in conns.items():
            conn.send(steps)
            rnd[side] = conn.recv()
        if load.stop() <= max_load:
            quiet += 1
            for k in sides:
                times[k] += rnd[k]
    for conn in conns.values():
        conn.send(0)
    for proc in procs:
        proc.join()
    return {k: 1e3 * statistics.median(v) for k, v in times.items() if v}, quiet, shape


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", default="small,medium", help="ptb_<name> configs")
    ap.add_argument("--dtypes", default="float32", help="float32 and/or bfloat16")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--steps", type=int, default=10, help="timed steps per side per round")
    ap.add_argument("--max-load", type=float, default=0.1)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
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
    names = {"ours": "ours", "torch": "PyTorch"}
    for size in args.configs.split(","):
        sides = [f"ours {d}" for d in dtypes]
        if torch is not None and not args.no_torch:
            sides += [f"torch {d}" for d in dtypes]
        ms, quiet, (batch, bptt, layers, hidden) = measure(
            size, data_dir, sides, args.rounds, args.steps, args.max_load
        )
        if quiet < 2:
            print(f"| ptb_{size} | refused: only {quiet} quiet rounds (machine busy) | | | |")
            continue
        ref = ms.get("torch float32")
        for side, v in ms.items():
            kind, dtype = side.split()
            name = f"{names[kind]} {dtype}" + (" autocast" if side == "torch bfloat16" else "")
            ratio = f"{v / ref:.2f}x" if ref else "-"
            print(
                f"| ptb_{size} ({batch} x {bptt}, {layers} x {hidden}) | {name} | {v:.1f} "
                f"| {batch * bptt / (v / 1e3):,.0f} | {ratio} |",
                flush=True,
            )
        print(f"<!-- ptb_{size}: {quiet} quiet rounds of {args.steps} steps per side -->")


if __name__ == "__main__":
    main()
