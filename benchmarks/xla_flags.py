"""Does an XLA:CPU flag speed up our LSTM? Runs the layer benchmark once per flag set.

Each setting runs in its own process (XLA_FLAGS is read once, at start-up), our LSTM
only, and prints train / forward ms per shape next to the default flags' numbers.

    python benchmarks/xla_flags.py
"""

from __future__ import annotations

import os
import subprocess
import sys

SETTINGS = {
    "default": "",
    "onednn": "--xla_cpu_use_onednn=true",
    "no_xnnpack": "--xla_cpu_use_xnnpack=false",
    "vector512": "--xla_cpu_prefer_vector_width=512",
    "single_thread_eigen": "--xla_cpu_multi_thread_eigen=false",
}
SHAPES = "32,128,256,1;20,35,650,2"


def run(flags: str) -> dict[str, tuple[float, float]]:
    env = dict(os.environ, XLA_FLAGS=flags)
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(
        [
            sys.executable,
            os.path.join(here, "lstm_layer.py"),
            "--impls",
            "ours",
            "--rounds",
            "3",
            "--shapes",
            SHAPES,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    res = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 3 and cells[1] == "ours":
            res[cells[0]] = (float(cells[2]), float(cells[3]))
    return res


def main() -> None:
    base = None
    print("| setting | XLA_FLAGS | shape | train ms | fwd ms | train vs default |")
    print("|---|---|---|---:|---:|---:|")
    for name, flags in SETTINGS.items():
        try:
            res = run(flags)
        except subprocess.CalledProcessError as e:
            print(f"| {name} | `{flags}` | failed: {e.stderr.strip().splitlines()[-1]} | | | |")
            continue
        base = base or res
        for shape, (train, fwd) in res.items():
            print(
                f"| {name} | `{flags}` | {shape} | {train:.1f} | {fwd:.1f} "
                f"| {train / base[shape][0]:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
