"""The accelerator path in one run: correctness on the device first, then timings.

1. Check: ``LSTM(backend="scan")`` against ``LSTM(backend="cudnn")`` with the same
   parameters (1 and 2 layers, uni- and bidirectional, padded lengths): outputs, final
   states and every gradient, at float32 matmul precision "highest" (cuDNN would otherwise
   use TF32). A mismatch stops the run before any timing.
2. Layer training step (forward + backward of a mean-squared loss), four shapes with
   batch >= 64: ours scan, ours cuDNN, ``torch.nn.LSTM`` (cuDNN).
3. The Zaremba medium LM training step (batch 20 x 35, 2 x 650, vocab 10k, dropout 0.5,
   clip + SGD): ours with cuDNN layers, ours scan, ours scan in bfloat16, PyTorch's
   word_language_model loop (cuDNN), and PyTorch under bfloat16 autocast.

Medians over ``--iters`` timed calls after warm-up. Needs jax with CUDA, flax, optax and
(for the peers) torch with CUDA; nothing else of the engine (no grain, ml-collections or
TFDS). ``--dry-run`` runs every part at toy sizes on CPU, with ``jax.experimental.rnn``'s
``lstm_ref`` standing in for cuDNN, so a broken script shows up here, not on the GPU.

    benchmarks/gpu.sh                       # on the GPU machine; about 4 minutes on an H100
    python benchmarks/gpu.py --dry-run      # anywhere
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from lstm_jax.models.language_model import LanguageModel
from lstm_jax.nn import LSTM, cudnn

SHAPES = [(64, 128, 256, 1), (64, 256, 512, 2), (64, 35, 650, 2), (128, 64, 1024, 1)]
LM = dict(vocab=10_000, hidden=650, layers=2, batch=20, bptt=35, dropout=0.5, lr=35.0, clip=5 / 35)
DRY_SHAPES = [(4, 5, 8, 2)]
DRY_LM = dict(vocab=50, hidden=8, layers=2, batch=3, bptt=5, dropout=0.5, lr=1.0, clip=0.25)


def timeit(fn, iters: int) -> float:
    """Median ms of ``fn`` (which waits for its device work), after two warm-up calls."""
    fn()
    fn()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def _outputs_and_grads(backend: str, shape, bidir: bool, x, lengths) -> list:
    _, _, h, layers = shape
    layer = LSTM(h, h, num_layers=layers, bidirectional=bidir, backend=backend, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(layer)

    def loss(p, x):
        y, s = nnx.merge(graphdef, p)(x, lengths)
        return jnp.mean(y**2) + jnp.mean(s.h * s.c), (y, s)

    (_, aux), grads = jax.jit(jax.value_and_grad(loss, (0, 1), has_aux=True))(params, x)
    return jax.tree.leaves((aux, grads))


def check(shapes) -> float:
    """Max relative difference between the backends over outputs, states and gradients."""
    worst = 0.0
    with jax.default_matmul_precision("highest"):
        for shape in shapes:
            batch, t, h, layers = shape
            x = jax.random.normal(jax.random.key(0), (batch, t, h))
            lengths = jnp.maximum(t - jnp.arange(batch, dtype=jnp.int32) % t, 1)
            for bidir in (False, True):
                scan = _outputs_and_grads("scan", shape, bidir, x, lengths)
                fast = _outputs_and_grads("cudnn", shape, bidir, x, lengths)
                diffs = [
                    float(jnp.abs(a - b).max()) / max(float(jnp.abs(a).max()), 1e-3)
                    for a, b in zip(scan, fast, strict=True)
                ]
                worst = max(worst, *diffs)
                print(
                    f"check B={batch} T={t} H={h} L={layers} bidirectional={bidir}: "
                    f"max relative difference {max(diffs):.2e} over {len(diffs)} arrays",
                    flush=True,
                )
    return worst


def layer_step(backend: str, shape):
    batch, t, h, layers = shape
    layer = LSTM(h, h, num_layers=layers, backend=backend, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(layer)
    x = jax.random.normal(jax.random.key(0), (batch, t, h))
    grad = jax.jit(jax.grad(lambda p, x: jnp.mean(nnx.merge(graphdef, p)(x)[0] ** 2)))
    return lambda: jax.block_until_ready(grad(params, x))


def torch_layer_step(shape):
    import torch

    batch, t, h, layers = shape
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    model = torch.nn.LSTM(h, h, num_layers=layers, batch_first=True).to(dev)
    x = torch.randn(batch, t, h, device=dev)

    def step():
        model.zero_grad(set_to_none=True)
        model(x)[0].square().mean().backward()
        if dev == "cuda":
            torch.cuda.synchronize()

    return step


def lm_step(lm: dict, backend: str, dtype):
    model = LanguageModel(
        lm["vocab"],
        lm["hidden"],
        lm["hidden"],
        lm["layers"],
        input_dropout=lm["dropout"],
        hidden_dropout=lm["dropout"],
        output_dropout=lm["dropout"],
        init_scale=0.05,
        dtype=dtype,
        backend=backend,
        rngs=nnx.Rngs(0),
    )
    tx = optax.chain(optax.clip_by_global_norm(lm["clip"]), optax.sgd(lm["lr"]))
    opt = nnx.Optimizer(model, tx, wrt=nnx.Param)

    @nnx.jit(donate_argnums=(0, 1))
    def step(model, opt, tokens, state):  # the engine's step: xent, clip, SGD
        def loss_fn(model):
            logits, new, _ = model(tokens[:, :-1], state)
            nll = optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:])
            return nll.mean(), new

        (loss, new), grads = nnx.value_and_grad(loss_fn, has_aux=True)(model)
        opt.update(model, grads)
        return loss, jax.lax.stop_gradient(new)

    rng = np.random.default_rng(0)
    state = [model.zero_state(lm["batch"])]

    def run():
        tokens = jnp.asarray(rng.integers(0, lm["vocab"], (lm["batch"], lm["bptt"] + 1)))
        loss, state[0] = step(model, opt, tokens, state[0])
        jax.block_until_ready(loss)

    return run


def torch_lm_step(lm: dict, autocast: bool):
    import torch
    from torch import nn

    dev = "cuda" if torch.cuda.is_available() else "cpu"
    v, h, n = lm["vocab"], lm["hidden"], lm["layers"]

    class TorchLM(nn.Module):  # word_language_model's RNNModel (LSTM, untied)
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(lm["dropout"])
            self.encoder = nn.Embedding(v, h)
            self.rnn = nn.LSTM(h, h, n, dropout=lm["dropout"])
            self.decoder = nn.Linear(h, v)

        def forward(self, tokens, hidden):
            out, hidden = self.rnn(self.drop(self.encoder(tokens)), hidden)
            return self.decoder(self.drop(out)), hidden

    model = TorchLM().to(dev)
    criterion = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    state = [tuple(torch.zeros(n, lm["batch"], h, device=dev) for _ in range(2))]

    def run():
        data = torch.from_numpy(rng.integers(0, v, (lm["bptt"] + 1, lm["batch"]))).to(dev)
        hidden = tuple(x.detach() for x in state[0])
        model.zero_grad()
        with torch.autocast(dev, dtype=torch.bfloat16, enabled=autocast):
            out, state[0] = model(data[:-1], hidden)
            loss = criterion(out.view(-1, v).float(), data[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), lm["clip"])
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lm["lr"])
        loss.item()

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--dry-run", action="store_true", help="toy sizes on CPU, lstm_ref as cuDNN")
    ap.add_argument("--markdown", help="also write the tables to this file")
    args = ap.parse_args()
    shapes, lm, iters = (DRY_SHAPES, DRY_LM, 2) if args.dry_run else (SHAPES, LM, args.iters)
    if args.dry_run:  # the cuDNN path with lstm_ref answering for the GPU kernel
        cudnn.gpu_available = lambda: True
        cudnn.KERNEL["lstm"] = cudnn.reference
    elif not cudnn.gpu_available():
        sys.exit(
            f"no CUDA GPU: jax runs on {jax.default_backend()!r} (--dry-run checks the script)"
        )
    try:
        import torch
    except ImportError:
        torch = None
    device = jax.devices()[0].device_kind
    lines = [
        f"## {time.strftime('%Y-%m-%d')} — {device}, jax {jax.__version__}"
        + (f", torch {torch.__version__}" if torch else "")
        + f", {platform.python_version()}; medians of {iters} calls",
        "",
    ]
    print("\n".join(lines), flush=True)
    t0 = time.time()
    worst = check(shapes[:1] if args.dry_run else shapes[:2])
    if worst > 1e-3:
        sys.exit(f"cuDNN and scan differ by {worst:.2e} (relative): no timings")
    lines += [f"Correctness: scan vs cuDNN, max relative difference {worst:.1e}.", ""]
    table = [
        "| shape (B, T, H, L) | ours scan ms | ours cuDNN ms | torch cuDNN ms | scan / cuDNN |"
    ]
    table.append("|---|---:|---:|---:|---:|")
    for shape in shapes:
        scan = timeit(layer_step("scan", shape), iters)
        fast = timeit(layer_step("cudnn", shape), iters)
        ref = timeit(torch_layer_step(shape), iters) if torch else float("nan")
        table.append(f"| {shape} | {scan:.2f} | {fast:.2f} | {ref:.2f} | {scan / fast:.2f}x |")
        print(table[-1], flush=True)
    lines += ["Layer training step (forward + backward, float32):", "", *table, ""]
    sides = {
        "ours, cuDNN layers, float32": lm_step(lm, "auto", jnp.float32),
        "ours, scan, float32": lm_step(lm, "scan", jnp.float32),
        "ours, scan, bfloat16": lm_step(lm, "scan", jnp.bfloat16),
    }
    if torch:
        sides["PyTorch (cuDNN), float32"] = torch_lm_step(lm, autocast=False)
        if not args.dry_run:
            # On CPU, torch's bfloat16 LSTM is oneDNN's and exists only on some CPUs (it
            # failed on one 2-vCPU VM with "could not create a primitive descriptor"); the
            # row is for cuDNN, and the dry run checks the same function in float32.
            sides["PyTorch (cuDNN), bfloat16 autocast"] = torch_lm_step(lm, autocast=True)
    table = ["| implementation | ms / step | tokens/s |", "|---|---:|---:|"]
    for name, run in sides.items():
        ms = timeit(run, iters)
        table.append(f"| {name} | {ms:.2f} | {lm['batch'] * lm['bptt'] / ms * 1e3:,.0f} |")
        print(table[-1], flush=True)
    lines += [f"Zaremba medium LM training step ({lm['batch']} x {lm['bptt']}):", "", *table]
    lines.append(f"\n(wall time of this run: {time.time() - t0:.0f} s)")
    print(lines[-1])
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
