"""Where the PTB LM training step goes: each part timed alone against its matmul floor.

The step is the engine's own (``Run.train_step`` of ``configs/ptb_<config>.py``). Its parts
are jitted and timed on their own with the step's shapes: the softmax (decoder matmul +
bias + cross-entropy, forward and backward), the LSTM stack (forward and backward), the
embedding (gather and its scatter-add gradient), the dropout masks, the update (clipping
+ SGD) and the host (grain ``next`` + sharding). A part's floor is its matmul FLOPs at the
machine's float32 GEMM rate (a 2048^3 product), so "x floor" says how far from the
hardware each part is. The parts overlap little, so "rest" (step minus the parts) is the
glue between them. Then the ten longest XLA operations of one step from a profiler trace.

    python benchmarks/lm_profile.py --config small
    python benchmarks/lm_profile.py --config medium --data-dir ../shared/data/ptb
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import os
import re
import sys
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu import timeit as ms
from lstm_layer import gemm_peak, lstm_flops
from word_lm import config, write_corpus

from lstm_jax.data import batching
from lstm_jax.malloc import keep_freed_memory
from lstm_jax.nn.locked_dropout import dropout_mask
from lstm_jax.train import optim, sharding
from lstm_jax.train.run import Run


def top_ops(step, n_steps: int = 5, top: int = 10) -> list[tuple[str, float, int]]:
    """(XLA operation, ms per step, calls per step) from a profiler trace, longest first."""
    out = tempfile.mkdtemp()
    with jax.profiler.trace(out, create_perfetto_trace=True):
        for _ in range(n_steps):
            step()
    path = sorted(glob.glob(f"{out}/**/*.trace.json.gz", recursive=True))[-1]
    total, count = collections.Counter(), collections.Counter()
    with gzip.open(path) as f:
        events = json.load(f)["traceEvents"]
    for e in events:
        name = e.get("name", "")
        if e.get("ph") == "X" and not name.startswith(("$", "Thunk", "Slinky", "Pjit", "Common")):
            total[name] += e["dur"]
            count[name] += 1
    return [(k, v / n_steps / 1e3, count[k] // n_steps) for k, v in total.most_common(top)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="small", help="ptb_<name>")
    ap.add_argument("--data-dir", help="PTB files (default: random words, same shapes)")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--iters", type=int, default=20)
    args = ap.parse_args()
    keep_freed_memory()
    c = config(args.config, args.data_dir or write_corpus(tempfile.mkdtemp()), args.dtype)
    run = Run(c, tempfile.mkdtemp())
    it = batching.iterate(run.data.train(c.seed))
    controls = {"lr_scale": np.float32(1), "average": np.float32(0)}
    m, n = c.model, args.iters
    batch = sharding.shard_batch(next(it), run.mesh)
    B, T = batch["inputs"].shape
    V, E, H = len(run.data.vocab), m.embed, m.hidden_features
    peak = gemm_peak()
    floor = lambda flops: 1e3 * flops / (peak * 1e9)

    def step():
        run.state, metrics = run.train_step(run.state, batch, controls)
        jax.block_until_ready(metrics)

    def host():
        jax.block_until_ready(sharding.shard_batch(next(it), run.mesh))

    key = jax.random.key(0)
    k = jax.random.split(key, 4)
    x = jax.random.normal(k[0], (B, T, H))
    w = jax.random.normal(k[1], (H, V)) * 0.1
    b = jnp.zeros(V)

    def softmax_loss(x, w, b):
        logits = jnp.dot(x, w) + b
        return optax.softmax_cross_entropy_with_integer_labels(logits, batch["targets"]).mean()

    softmax = jax.jit(jax.grad(softmax_loss, (0, 1, 2)))
    model = run.model(run.state["params"], None)
    carry = run.state["carry"]

    def lstm_loss(params, x):
        from flax import nnx

        stack = nnx.merge(run.graphdef, params, run.rest)
        for i, layer in enumerate(stack.layers):
            x, _ = layer(x, initial_state=tuple(a[None] for a in carry[i]), deterministic=True)
        return jnp.sum(x**2)

    lstm = jax.jit(jax.grad(lstm_loss, (0, 1)))
    xe = jax.random.normal(k[2], (B, T, E))
    table = model.embed.embedding[...]
    embed = jax.jit(jax.grad(lambda t, ids: jnp.sum(jnp.take(t, ids, axis=0) * xe)))
    sites = [s for s in (m.input_dropout, m.hidden_dropout, m.output_dropout) if s]

    def masks(key):
        ks = jax.random.split(key, max(len(sites), 1))
        return [
            dropout_mask(kk, r, (B, T, E if i == 0 else H))
            for i, (kk, r) in enumerate(zip(ks, sites, strict=False))
        ]

    masks = jax.jit(masks)
    grads = jax.tree.map(jnp.ones_like, run.state["params"])

    @jax.jit
    def update(grads, opt_state, params):
        opt_state = optim.with_hyperparams(opt_state, **controls)
        updates, opt_state = run.tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    params, opt_state = run.state["params"], run.state["opt_state"]
    rows = [
        (
            "softmax: decoder matmul + cross-entropy, fwd + bwd",
            ms(lambda: jax.block_until_ready(softmax(x, w, b)), n),
            floor(3 * 2 * B * T * H * V),
        ),
        (
            f"LSTM stack ({m.num_layers} x {H}), fwd + bwd",
            ms(lambda: jax.block_until_ready(lstm(params, xe)), n),
            floor(3 * lstm_flops(B, T, H, m.num_layers)),
        ),
        (
            "embedding gather + scatter-add gradient",
            ms(lambda: jax.block_until_ready(embed(table, batch["inputs"])), n),
            0.0,
        ),
        (
            f"dropout masks ({len(sites)} sites)",
            ms(lambda: jax.block_until_ready(masks(key)), n) if sites else 0.0,
            0.0,
        ),
        (
            "update: global-norm clip + SGD",
            ms(lambda: jax.block_until_ready(update(grads, opt_state, params)), n),
            0.0,
        ),
        ("host: grain next + sharding", ms(host, n), 0.0),
    ]
    total = ms(step, n)
    parts = sum(r[1] for r in rows)
    floors = sum(r[2] for r in rows)
    print(
        f"ptb_{args.config} training step ({B} x {T}, {m.num_layers} x {H}, vocab {V}, "
        f"{args.dtype}), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, jax "
        f"{jax.__version__}, GEMM peak {peak:.0f} GFLOP/s, medians of {n}"
    )
    print("\n| part | ms | matmul floor ms | x floor | share of step |\n|---|---:|---:|---:|---:|")
    for name, t, f in rows:
        ratio = f"{t / f:.2f}x" if f else "-"
        print(f"| {name} | {t:.1f} | {f:.1f} | {ratio} | {100 * t / total:.0f}% |")
    rest = total - parts
    print(f"| rest (step minus the parts) | {rest:.1f} | | | {100 * rest / total:.0f}% |")
    whole = f"| **whole step** (`Run.train_step`) | **{total:.1f}** | {floors:.1f} "
    print(whole + f"| {total / floors:.2f}x | 100% |")
    hlo = run.train_step.lower(run.state, batch, controls).compile().as_text()
    print("\nLongest XLA operations of one step (profiler trace):\n")
    print("| XLA operation | output | what (HLO op_name) | ms / step | calls / step |")
    print("|---|---|---|---:|---:|")
    for name, t, calls in top_ops(step):
        shape, what = describe(hlo, name)
        print(f"| `{name}` | {shape} | {what} | {t:.2f} | {calls} |")


def describe(hlo: str, name: str) -> tuple[str, str]:
    """The output shape and the JAX operation an XLA instruction came from (for a fusion
    without its own metadata: the operations inside it)."""
    line = re.search(rf"^\s*(?:ROOT )?%{re.escape(name)} = (\S+) (.*)$", hlo, re.M)
    if not line:
        return "", ""
    what = re.search(r'op_name="([^"]*)"', line.group(2))
    if what:
        return line.group(1).split("{")[0], what.group(1).replace("jit(_train_step)/", "")
    called = re.search(r"calls=%([\w.-]+)", line.group(2))
    body = (
        re.search(rf"^%{re.escape(called.group(1))} .*?^}}", hlo, re.M | re.S) if called else None
    )
    ops = re.findall(r"= \S+ ([a-z-]+)\(", body.group(0)) if body else []
    return line.group(1).split("{")[0], " + ".join(dict.fromkeys(ops))


if __name__ == "__main__":
    main()
