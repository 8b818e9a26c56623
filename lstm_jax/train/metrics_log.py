"""Where metrics go: metrics.jsonl, TensorBoard event files, and the terminal."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any

import jax
import numpy as np

from lstm_jax.errors import TrainingDivergedError


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

    def __enter__(self) -> MetricLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
            self.tb = None


class Progress:
    """A tqdm bar on an interactive terminal, plain lines otherwise: one per log step and
    evaluation, and one at least every ``every_s`` seconds in between."""

    def __init__(self, total: int, initial: int, every_s: float = 30.0):
        self.bar, self.total, self.every_s = None, total, every_s
        self.start, self.start_step, self.last = time.time(), initial, time.time()
        if jax.process_index() == 0 and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True)

    def update(self, step: int, metrics: dict[str, float], tokens_per_step: int = 0) -> None:
        """The bar's postfix: the newest step's own metrics."""
        text = ", ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        self.bar.update(step - self.bar.n)
        rate = self.bar.format_dict.get("rate") or 0.0
        self.bar.set_postfix_str(f"{text}, tokens/s={rate * tokens_per_step:,.0f}")

    def log(self, step: int, metrics: dict[str, float], split: str) -> None:
        """One line with what metrics.jsonl records at ``step`` (train: window means)."""
        if jax.process_index():
            return
        rates = ("steps_per_s", "examples_per_s", "learning_rate")
        text = ", ".join(
            f"{k}={v:,.0f}" if k == "tokens_per_s" else f"{k}={v:.4g}"
            for k, v in metrics.items()
            if k not in rates and np.ndim(v) == 0
        )
        self._write(f"step {step} {split}: {text}")

    def due(self) -> bool:
        """Whether a plain progress line is due (never with a bar: it shows progress)."""
        return self.bar is None and time.time() - self.last >= self.every_s

    def heartbeat(self, step: int, last: dict[str, float]) -> None:
        """A line between log steps: the newest batch's loss (not a window mean), the pace
        so far and the time left at that pace."""
        if jax.process_index():
            return
        rate = (step - self.start_step) / max(time.time() - self.start, 1e-9)
        left = (self.total - step) / max(rate, 1e-9) / 60
        self._write(
            f"step {step} of {self.total}: last batch loss={last['loss']:.4g}; "
            f"{rate:.2f} steps/s, about {left:.1f} min left"
        )

    def _write(self, line: str) -> None:
        self.last = time.time()
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class TrainWindow:
    """The training metrics between two log lines.

    Reading a metric waits for its step, so steps are only read (``sync``) where they are
    needed: the host prepares the next batch while the device computes this one. ``sync``
    refuses a NaN or inf loss before anything is evaluated or saved.
    """

    def __init__(self):
        self.pending: list[tuple[int, dict]] = []
        self.rows: list[dict[str, float]] = []
        self.last: dict[str, float] = {}
        self.start, self.tokens = time.time(), 0

    def add(self, step: int, metrics: dict, tokens: int) -> None:
        self.pending.append((step, metrics))
        self.tokens += tokens

    def sync(self) -> dict[str, float]:
        """The newest step's metrics as floats; TrainingDivergedError on a non-finite loss."""
        for step, m in self.pending:
            row = {k: float(v) for k, v in m.items()}
            if not math.isfinite(row["loss"]):
                raise TrainingDivergedError(f"loss is {row['loss']} at step {step}")
            self.rows.append(row)
            self.last = row
        self.pending = []
        return self.last

    def summary(self, batch_size: int) -> dict[str, float]:
        """Means over the window (what metrics.jsonl logs) and rates; starts a new window."""
        self.sync()
        mean = {k: float(np.mean([r[k] for r in self.rows])) for k in self.rows[0]}
        dt = time.time() - self.start
        mean["steps_per_s"] = len(self.rows) / dt
        mean["examples_per_s"] = len(self.rows) * batch_size / dt
        mean["tokens_per_s"] = self.tokens / dt
        self.rows, self.start, self.tokens = [], time.time(), 0
        return mean
