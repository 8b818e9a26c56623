"""Where metrics go: metrics.jsonl, TensorBoard event files, and the terminal."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import jax


class MetricLog:
    """One JSON object per logged step in ``workdir/metrics.jsonl``, plus TensorBoard scalars.

    Only process 0 writes. Appends on resume, so the file holds the whole history.
    """

    def __init__(self, workdir: str, hparams: dict[str, Any] | None = None):
        self.enabled = jax.process_index() == 0
        self.start = time.time()
        self.path = os.path.join(workdir, "metrics.jsonl")
        self.tb = None
        if self.enabled:
            from tensorboardX import SummaryWriter

            self.tb = SummaryWriter(os.path.join(workdir, "tensorboard"))
            if hparams:
                self.tb.add_text("config", "```\n" + json.dumps(hparams, indent=1) + "\n```")

    def write(self, step: int, split: str, metrics: dict[str, float]) -> None:
        if not self.enabled:
            return
        record = {"step": step, "split": split, "wall_time": round(time.time() - self.start, 3)}
        record.update({k: float(v) for k, v in metrics.items()})
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")
        for k, v in metrics.items():
            self.tb.add_scalar(f"{split}/{k}", float(v), step)
        self.tb.flush()

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()


class Progress:
    """A tqdm bar on an interactive terminal, plain log lines otherwise."""

    def __init__(self, total: int, initial: int, every: int):
        self.every, self.bar = every, None
        if jax.process_index() == 0 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True)

    def update(self, step: int, metrics: dict[str, float], tokens_per_step: int = 0) -> None:
        text = ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
            rate = self.bar.format_dict.get("rate") or 0.0
            self.bar.set_postfix_str(f"{text}, tokens/s={rate * tokens_per_step:,.0f}")
        elif jax.process_index() == 0 and step % self.every == 0:
            print(f"step {step}: {text}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
