"""Times our LSTM against Flax (NNX and linen), Keras 3 (JAX backend) and PyTorch in one run,
interleaved.

For each shape (batch, time, in=hidden, layers), float32, it times the training step
(forward + backward to all parameters) and the forward pass of every implementation,
round-robin so that machine noise hits all alike, and reports medians: ms, tokens/s,
GFLOP/s (matmul FLOPs only), compile seconds, and each peer's time over ours.

    python benchmarks/lstm_layer.py            # the full table (several minutes on 2 cores)
    python benchmarks/lstm_layer.py --quick    # one small shape, a few seconds
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen, nnx

from lstm_jax.malloc import keep_freed_memory
from lstm_jax.nn import LSTM

# (20, 20, 200, 2) and (20, 35, 650, 2): the Zaremba small and medium LMs' LSTM stacks
SHAPES = [
    (32, 128, 256, 1),
    (64, 256, 512, 2),
    (20, 20, 200, 2),
    (20, 35, 650, 2),
    (128, 64, 1024, 1),
]
QUICK_SHAPES = [(16, 32, 128, 1)]


BIDIRECTIONAL = False  # set by --bidirectional; only ours, torch and keras_jax run both directions


def lstm_flops(batch: int, time_: int, hidden: int, layers: int) -> float:
    """Matmul FLOPs of one forward pass: 2 * B * T * (in + H) * 4H per layer and direction."""
    d = 2 if BIDIRECTIONAL else 1
    total = 0.0
    for layer in range(layers):
        in_f = hidden if layer == 0 else d * hidden
        total += d * 2.0 * batch * time_ * (in_f + hidden) * 4 * hidden
    return total


def _jax_fns(apply: Callable, params, x) -> tuple[Callable, Callable, float, float | None]:
    """Jitted forward and grad functions, compile seconds, and the training step's peak
    memory in MiB as XLA plans it (arguments + outputs + temporaries)."""

    def loss(p, x):
        return jnp.mean(jnp.square(apply(p, x)))

    fwd = jax.jit(apply)
    grad = jax.jit(jax.grad(loss))
    t0 = time.perf_counter()
    fwd = fwd.lower(params, x).compile()
    grad = grad.lower(params, x).compile()
    compile_s = time.perf_counter() - t0
    mem = grad.memory_analysis()
    peak = None
    if mem is not None:
        peak = (
            mem.argument_size_in_bytes + mem.output_size_in_bytes + mem.temp_size_in_bytes
        ) / 2**20
    return (
        (lambda: jax.block_until_ready(fwd(params, x))),
        (lambda: jax.block_until_ready(grad(params, x))),
        compile_s,
        peak,
    )


def ours(batch, time_, hidden, layers, x, remat=False):
    layer = LSTM(
        hidden,
        hidden,
        num_layers=layers,
        bidirectional=BIDIRECTIONAL,
        remat=remat,
        rngs=nnx.Rngs(0),
    )
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
    model = torch.nn.LSTM(
        hidden, hidden, num_layers=layers, batch_first=True, bidirectional=BIDIRECTIONAL
    )
    xt = torch.from_numpy(np.array(x))

    def fwd():
        with torch.no_grad():
            model(xt)

    def grad():
        model.zero_grad(set_to_none=True)
        out, _ = model(xt)
        out.square().mean().backward()

    t0 = time.perf_counter()
    grad()  # torch has no compile step; report its first call
    return fwd, grad, time.perf_counter() - t0, None


def keras_jax(batch, time_, hidden, layers, x):
    """Keras 3 on the JAX backend: a stack of keras.layers.LSTM, made a pure function with
    stateless_call and jitted like the other JAX peers. use_cudnn=False keeps Keras off
    jax.experimental.rnn (cuDNN); it then runs its generic lax.scan loop."""
    os.environ["KERAS_BACKEND"] = "jax"
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(f"keras was imported with the {keras.backend.backend()} backend")
    keras.utils.set_random_seed(0)

    def lstm():
        return keras.layers.LSTM(hidden, return_sequences=True, use_cudnn=False, dtype="float32")

    stack = [keras.Input(shape=(time_, hidden), batch_size=batch, dtype="float32")]
    for _ in range(layers):
        stack.append(
            keras.layers.Bidirectional(lstm(), merge_mode="concat") if BIDIRECTIONAL else lstm()
        )
    model = keras.Sequential(stack)
    params = [v.value for v in model.trainable_variables]
    frozen = [v.value for v in model.non_trainable_variables]
    assert all(p.dtype == jnp.float32 for p in params)

    def apply(p, x):
        return model.stateless_call(p, frozen, x)[0]

    return _jax_fns(apply, params, x)


def ours_remat(batch, time_, hidden, layers, x):
    return ours(batch, time_, hidden, layers, x, remat=True)


PEERS = {
    "ours": ours,
    "ours_remat": ours_remat,
    "flax_nnx": flax_nnx,
    "flax_linen": flax_linen,
    "keras_jax": keras_jax,
    "torch": pytorch,
}
DEFAULT_IMPLS = "ours,flax_nnx,flax_linen,keras_jax,torch"


class Load:
    """CPU time other processes used during a round, as a fraction of the machine.

    From /proc: all busy jiffies minus this process's own, over wall time x cores. On a
    2-core machine one busy neighbour slows PyTorch's OpenMP threads ~6x and XLA ~1.8x,
    so rounds with a neighbour are dropped rather than averaged in.
    """

    def __init__(self, pids: list[int] | None = None):
        self.ok = os.path.exists("/proc/stat")
        self.hz = os.sysconf("SC_CLK_TCK") if self.ok else 100
        self.pids = ["self", *(pids or [])]  # whose CPU time is the benchmark's own

    def _read(self):
        with open("/proc/stat") as f:
            cpu = [int(v) for v in f.readline().split()[1:]]
        busy = sum(cpu) - cpu[3] - cpu[4]  # minus idle and iowait
        own = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            own += int(fields[11]) + int(fields[12])  # utime + stime
        return busy, own, time.monotonic()

    def start(self):
        self.t0 = self._read() if self.ok else None

    def stop(self) -> float:
        if not self.ok:
            return 0.0
        b1, o1, t1 = self._read()
        b0, o0, t0 = self.t0
        other = max(0, (b1 - b0) - (o1 - o0)) / self.hz
        return other / max(1e-9, (t1 - t0) * (os.cpu_count() or 1))


def settle(fn, seconds: float = 0.3) -> None:
    """Untimed calls for ``seconds`` (at least one) before a timed series: the first calls
    after another implementation ran pay for its threads (PyTorch's OpenMP threads spin
    for ~200 ms after its ops) and caches."""
    t0 = time.perf_counter()
    fn()
    while time.perf_counter() - t0 < seconds:
        fn()


def gemm_peak() -> float:
    """XLA's float32 GEMM rate on a 2048^3 problem, GFLOP/s: the machine's practical peak."""
    n = 2048
    a = jax.random.normal(jax.random.key(0), (n, n), jnp.float32)
    f = jax.jit(lambda a: a @ a)
    jax.block_until_ready(f(a))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        jax.block_until_ready(f(a))
        times.append(time.perf_counter() - t0)
    return 2 * n**3 / min(times) / 1e9


def bench_shape(
    shape, impls, rounds, iters, max_load=0.1, min_quiet=2
) -> tuple[dict[str, dict[str, float]], int]:
    """Returns per-implementation medians over quiet rounds, and how many rounds were quiet."""
    batch, time_, hidden, layers = shape
    x = jax.random.normal(jax.random.key(0), (batch, time_, hidden), jnp.float32)
    fns, compile_s, peak_mib = {}, {}, {}
    for name in impls:
        fwd, grad, c, mem = PEERS[name](batch, time_, hidden, layers, x)
        fwd()
        grad()  # warm-up
        fns[name], compile_s[name], peak_mib[name] = (fwd, grad), c, mem
    load = Load()
    quiet = {n: {"fwd": [], "train": []} for n in impls}
    n_quiet = 0
    for _ in range(rounds):
        load.start()
        samples = {n: {"fwd": [], "train": []} for n in impls}
        for name in impls:  # interleaved: each round visits every implementation
            for kind, fn in (("fwd", fns[name][0]), ("train", fns[name][1])):
                settle(fn)
                for _ in range(iters):
                    t0 = time.perf_counter()
                    fn()
                    samples[name][kind].append(time.perf_counter() - t0)
        if load.stop() <= max_load:
            n_quiet += 1
            for name in impls:
                for kind in ("fwd", "train"):
                    quiet[name][kind] += samples[name][kind]
    if n_quiet < min_quiet:
        return {}, n_quiet
    flops = lstm_flops(batch, time_, hidden, layers)
    out = {}
    for name in impls:
        fwd_ms = 1e3 * statistics.median(quiet[name]["fwd"])
        train_ms = 1e3 * statistics.median(quiet[name]["train"])
        out[name] = dict(
            peak_mib=peak_mib[name],
            fwd_ms=fwd_ms,
            train_ms=train_ms,
            tokens_per_s=batch * time_ / (train_ms / 1e3),
            train_gflops=3 * flops / (train_ms / 1e3) / 1e9,
            fwd_gflops=flops / (fwd_ms / 1e3) / 1e9,
            compile_s=compile_s[name],
        )
    return out, n_quiet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one small shape, few rounds")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iters", type=int, default=2)
    ap.add_argument("--impls", default=DEFAULT_IMPLS, help=f"subset of {','.join(PEERS)}")
    ap.add_argument(
        "--max-load",
        type=float,
        default=0.1,
        help="drop rounds in which other processes used more than this share of the CPUs",
    )
    ap.add_argument("--markdown", help="append the table to this file")
    ap.add_argument("--shapes", help="B,T,H,L;B,T,H,L;... instead of the default shapes")
    ap.add_argument("--bidirectional", action="store_true", help="ours, keras_jax and torch only")
    args = ap.parse_args()
    keep_freed_memory()  # as the engine does (lstm_jax/malloc.py); every peer benefits
    impls = [i for i in args.impls.split(",") if i]
    if args.bidirectional:
        global BIDIRECTIONAL
        BIDIRECTIONAL = True
        impls = [i for i in impls if not i.startswith("flax")]
    if "torch" in impls:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("torch not installed (pip install '.[peers]'): skipping the PyTorch peer")
            impls.remove("torch")
    # find_spec, not import: keras must first be imported with KERAS_BACKEND=jax (keras_jax)
    if "keras_jax" in impls and importlib.util.find_spec("keras") is None:
        print("keras not installed (pip install '.[peers]'): skipping the Keras-JAX peer")
        impls.remove("keras_jax")
    shapes = QUICK_SHAPES if args.quick else SHAPES
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes.split(";")]
    rounds = 2 if args.quick else args.rounds
    machine = f"{platform.machine()}, {os.cpu_count()} cores, jax {jax.__version__}"
    peak = gemm_peak()
    lines = [
        f"### {time.strftime('%Y-%m-%d')} — {machine}, float32, median of up to "
        f"{rounds}x{args.iters} (quiet rounds only); XLA GEMM peak {peak:.0f} GFLOP/s"
        + ("; bidirectional" if BIDIRECTIONAL else ""),
        "",
        "| shape (B, T, H, L) | impl | train ms | fwd ms | tokens/s | train GFLOP/s (% peak) "
        "| fwd GFLOP/s (% peak) | compile s | peak MiB | train time / ours | train time / torch |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines), flush=True)
    for shape in shapes:
        res, n_quiet = bench_shape(shape, impls, rounds, args.iters, args.max_load)
        if not res:
            line = f"| {shape} | refused: only {n_quiet} quiet rounds (machine busy) |"
            lines.append(line)
            print(line, flush=True)
            continue
        base = res["ours"]["train_ms"] if "ours" in res else None
        torch_ms = res["torch"]["train_ms"] if "torch" in res else None
        for name, r in res.items():
            ratio = f"{r['train_ms'] / base:.2f}x" if base else "-"
            vs_torch = f"{r['train_ms'] / torch_ms:.2f}x" if torch_ms else "-"
            mem = "-" if r["peak_mib"] is None else f"{r['peak_mib']:.1f}"
            line = (
                f"| {shape} | {name} | {r['train_ms']:.1f} | {r['fwd_ms']:.1f} "
                f"| {r['tokens_per_s']:,.0f} "
                f"| {r['train_gflops']:.1f} ({100 * r['train_gflops'] / peak:.0f}%) "
                f"| {r['fwd_gflops']:.1f} ({100 * r['fwd_gflops'] / peak:.0f}%) "
                f"| {r['compile_s']:.2f} | {mem} | {ratio} | {vs_torch} |"
            )
            lines.append(line)
            print(line, flush=True)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
