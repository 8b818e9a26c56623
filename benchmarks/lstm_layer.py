"""Times our LSTM against Flax (NNX and linen) and PyTorch in one run, interleaved.

For each shape (batch, time, in=hidden, layers), float32, it times the training step
(forward + backward to all parameters) and the forward pass of every implementation,
round-robin so that machine noise hits all alike, and reports medians: ms, tokens/s,
GFLOP/s (matmul FLOPs only), compile seconds, and each peer's time over ours.

    python benchmarks/lstm_layer.py            # the full table (several minutes on 2 cores)
    python benchmarks/lstm_layer.py --quick    # one small shape, a few seconds
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen, nnx

from lstm_jax.nn import LSTM

SHAPES = [(32, 128, 256, 1), (64, 256, 512, 2), (20, 35, 650, 2), (128, 64, 1024, 1)]
QUICK_SHAPES = [(16, 32, 128, 1)]


def lstm_flops(batch: int, time_: int, hidden: int, layers: int) -> float:
    """Matmul FLOPs of one forward pass (in = hidden): 2 * B * T * (in + H) * 4H per layer."""
    return layers * 2.0 * batch * time_ * (2 * hidden) * 4 * hidden


def _jax_fns(apply: Callable, params, x) -> tuple[Callable, Callable, float]:
    """Jitted forward and grad functions, plus the seconds their compilation took."""

    def loss(p, x):
        return jnp.mean(jnp.square(apply(p, x)))

    fwd = jax.jit(apply)
    grad = jax.jit(jax.grad(loss))
    t0 = time.perf_counter()
    fwd = fwd.lower(params, x).compile()
    grad = grad.lower(params, x).compile()
    compile_s = time.perf_counter() - t0
    return (
        (lambda: jax.block_until_ready(fwd(params, x))),
        (lambda: jax.block_until_ready(grad(params, x))),
        compile_s,
    )


def ours(batch, time_, hidden, layers, x):
    layer = LSTM(hidden, hidden, num_layers=layers, rngs=nnx.Rngs(0))
    graphdef, params, rest = nnx.split(layer, nnx.Param, ...)
    return _jax_fns(lambda p, x: nnx.merge(graphdef, p, rest)(x)[0], params, x)


def flax_nnx(batch, time_, hidden, layers, x):
    rnns = [
        nnx.RNN(nnx.OptimizedLSTMCell(hidden, hidden, rngs=nnx.Rngs(i)), rngs=False)
        for i in range(layers)
    ]
    graphdef, params, rest = nnx.split(nnx.List(rnns), nnx.Param, ...)

    def apply(p, x):
        zeros = jnp.zeros((x.shape[0], hidden), x.dtype)
        for rnn in nnx.merge(graphdef, p, rest):
            x = rnn(x, initial_carry=(zeros, zeros))
        return x

    return _jax_fns(apply, params, x)


def flax_linen(batch, time_, hidden, layers, x):
    class Stack(linen.Module):
        @linen.compact
        def __call__(self, x):
            for _ in range(layers):
                x = linen.RNN(linen.OptimizedLSTMCell(hidden))(x)
            return x

    model = Stack()
    params = model.init(jax.random.key(0), x)
    return _jax_fns(model.apply, params, x)


def pytorch(batch, time_, hidden, layers, x):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    model = torch.nn.LSTM(hidden, hidden, num_layers=layers, batch_first=True)
    xt = torch.from_numpy(np.asarray(x))

    def fwd():
        with torch.no_grad():
            model(xt)

    def grad():
        model.zero_grad(set_to_none=True)
        out, _ = model(xt)
        out.square().mean().backward()

    t0 = time.perf_counter()
    grad()  # torch has no compile step; report its first call
    return fwd, grad, time.perf_counter() - t0


PEERS = {"ours": ours, "flax_nnx": flax_nnx, "flax_linen": flax_linen, "torch": pytorch}


def bench_shape(shape, impls, rounds, iters) -> dict[str, dict[str, float]]:
    batch, time_, hidden, layers = shape
    x = jax.random.normal(jax.random.key(0), (batch, time_, hidden), jnp.float32)
    fns, compile_s = {}, {}
    for name in impls:
        fwd, grad, c = PEERS[name](batch, time_, hidden, layers, x)
        fwd()
        grad()  # warm-up
        fns[name], compile_s[name] = (fwd, grad), c
    samples = {n: {"fwd": [], "train": []} for n in impls}
    for _ in range(rounds):
        for name in impls:  # interleaved: each round visits every implementation
            for kind, fn in (("fwd", fns[name][0]), ("train", fns[name][1])):
                for _ in range(iters):
                    t0 = time.perf_counter()
                    fn()
                    samples[name][kind].append(time.perf_counter() - t0)
    flops = lstm_flops(batch, time_, hidden, layers)
    out = {}
    for name in impls:
        fwd_ms = 1e3 * statistics.median(samples[name]["fwd"])
        train_ms = 1e3 * statistics.median(samples[name]["train"])
        out[name] = dict(
            fwd_ms=fwd_ms,
            train_ms=train_ms,
            tokens_per_s=batch * time_ / (train_ms / 1e3),
            train_gflops=3 * flops / (train_ms / 1e3) / 1e9,
            fwd_gflops=flops / (fwd_ms / 1e3) / 1e9,
            compile_s=compile_s[name],
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one small shape, few rounds")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=2)
    ap.add_argument("--impls", default=",".join(PEERS), help="comma-separated subset")
    ap.add_argument("--markdown", help="append the table to this file")
    ap.add_argument("--shapes", help="B,T,H,L;B,T,H,L;... instead of the default shapes")
    args = ap.parse_args()
    impls = [i for i in args.impls.split(",") if i]
    if "torch" in impls:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("torch not installed (pip install '.[peers]'): skipping the PyTorch peer")
            impls.remove("torch")
    shapes = QUICK_SHAPES if args.quick else SHAPES
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes.split(";")]
    rounds = 2 if args.quick else args.rounds
    machine = f"{platform.machine()}, {os.cpu_count()} cores, jax {jax.__version__}"
    lines = [
        f"### {time.strftime('%Y-%m-%d')} — {machine}, float32, median of {rounds}x{args.iters}",
        "",
        "| shape (B, T, H, L) | impl | train ms | fwd ms | tokens/s | train GFLOP/s "
        "| fwd GFLOP/s | compile s | train time / ours |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    for shape in shapes:
        res = bench_shape(shape, impls, rounds, args.iters)
        base = res["ours"]["train_ms"] if "ours" in res else None
        for name, r in res.items():
            ratio = f"{r['train_ms'] / base:.2f}x" if base else "-"
            line = (
                f"| {shape} | {name} | {r['train_ms']:.1f} | {r['fwd_ms']:.1f} "
                f"| {r['tokens_per_s']:,.0f} | {r['train_gflops']:.1f} | {r['fwd_gflops']:.1f} "
                f"| {r['compile_s']:.2f} | {ratio} |"
            )
            lines.append(line)
            print(line, flush=True)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
