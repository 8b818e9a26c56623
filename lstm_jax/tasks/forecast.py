"""Time-series forecasting (task ``forecast``): windows of a CSV series, an LSTM forecaster,
MAE / RMSE / sMAPE beside naive and seasonal-naive forecasts on the same windows.

Rows are split in time order (``data.split``: row counts or fractions). Missing values
follow ``data.missing``; how many is printed. The scaler is fitted on the training rows
only and saved as ``workdir/scaler.json``. Metrics are in the data's own units.
"""

from __future__ import annotations

import io

import jax
import jax.numpy as jnp
import numpy as np

from lstm_jax.data import timeseries as ts
from lstm_jax.errors import ConfigError
from lstm_jax.models.forecaster import Forecaster
from lstm_jax.tasks import register
from lstm_jax.tasks.base import Task

LOSSES = ("mse", "mae", "quantile")


@register("forecast")
class ForecastTask(Task):
    eval_metric = "mae"
    eval_mode = "min"
    keys = {
        "data": {
            "file": "",  # a CSV (.gz accepted)
            "header": True,  # False: no header row; columns are named 0..N-1
            "time_column": "date",  # "" = none: the row index is time
            "targets": "",  # the column(s) to forecast, by name (or index, without a header)
            "covariates": "",  # numeric columns the model also sees
            "categorical": "",  # text columns, one-hot over the categories in the training rows
            "split": "0.7,0.15,0.15",  # rows (or fractions) of train, valid, test, in order
            "missing": "interpolate",  # ffill | interpolate | mask
            "scale": True,  # standardize with the training rows' mean and std
            "lookback": 96,
            "horizon": 24,
            "season": 24,  # the seasonal-naive forecast repeats the last season
            "eval_batch_size": 256,
        }
    }
    positive = ("data.lookback", "data.horizon", "data.season", "data.eval_batch_size")
    choices = {"data.missing": ts.POLICIES}

    def load(self, config, workdir):
        m = config.model
        if m.loss not in LOSSES:
            raise ConfigError(f"unknown model.loss {m.loss!r}; choose one of {LOSSES}")
        self.config, self.workdir = config, workdir
        self.data = ts.load(config, workdir)
        self.targets, self.scaler = self.data.targets, self.data.scaler
        self.quantiles = [float(q) for q in ts.names(m.quantiles)] if m.loss == "quantile" else []
        return self.data

    def make_model(self, config, rngs):
        m, d = config.model, config.data
        return Forecaster(
            self.data.scaled.shape[1],
            len(self.targets),
            d.horizon,
            m.hidden_features,
            m.num_layers,
            outputs=max(len(self.quantiles), 1),
            decoder=m.decoder,
            residual=m.residual,
            dropout=m.dropout,
            dtype=config.dtype,
            rngs=rngs,
        )

    def num_tokens(self, batch):
        return int(batch["weights"].sum()) * self.config.data.horizon

    def _point(self, out: jax.Array) -> jax.Array:
        return out[..., len(self.quantiles) // 2] if self.quantiles else out[..., 0]

    def loss(self, model, batch, carry):
        d, k = self.config.data, len(self.targets)
        y = batch["targets"]  # scaled, NaN where missing (data.missing=mask)
        teacher = jnp.nan_to_num(y) if self.config.model.decoder == "autoregressive" else None
        out = model(batch["inputs"], None if model.deterministic else teacher)
        valid = (~jnp.isnan(y)) & (batch["weights"][:, None, None] > 0)
        w = valid.astype(jnp.float32)
        n = jnp.maximum(jnp.sum(w), 1.0)
        y0 = jnp.nan_to_num(y)
        if self.quantiles:
            q = jnp.asarray(self.quantiles)
            diff = y0[..., None] - out
            per = jnp.sum(jnp.maximum(q * diff, (q - 1) * diff), -1)
        elif self.config.model.loss == "mae":
            per = jnp.abs(y0 - out[..., 0])
        else:
            per = (y0 - out[..., 0]) ** 2
        train_loss = jnp.sum(per * w) / n
        # metrics in the data's units, beside the naive forecasts on the same windows
        mean, std = self.scaler.mean[:k], self.scaler.std[:k]
        pred = self._point(out) * std + mean
        truth = jnp.nan_to_num(batch["raw_targets"])
        naive = jnp.broadcast_to(batch["last"][:, None, :], truth.shape)
        reps = -(-d.horizon // d.season)
        seasonal = jnp.tile(batch["season"], (1, reps, 1))[:, : d.horizon]
        metrics = {"loss_scaled": train_loss, "weight": jnp.sum(w)}
        for name, p in (("", pred), ("naive_", naive), ("seasonal_naive_", seasonal)):
            err = truth - p
            metrics[f"{name}mae"] = jnp.sum(jnp.abs(err) * w) / n
            metrics[f"{name}mse"] = jnp.sum(err**2 * w) / n
            smape = 2 * jnp.abs(err) / jnp.maximum(jnp.abs(truth) + jnp.abs(p), 1e-8)
            metrics[f"{name}smape"] = jnp.sum(smape * w) / n
        # "accuracy" as stock-prediction posts mean it: is the direction of the move right?
        up_pred = pred > batch["last"][:, None, :]
        up_true = truth > batch["last"][:, None, :]
        metrics["direction_accuracy"] = jnp.sum((up_pred == up_true) * w) / n
        if len(self.quantiles) >= 2:
            lo = out[..., 0] * std + mean
            hi = out[..., -1] * std + mean
            inside = (truth >= lo) & (truth <= hi)
            metrics["interval_coverage"] = jnp.sum(inside * w) / n
        return train_loss, (metrics, carry)

    def summarize(self, metrics, config, split):
        out = dict(metrics)
        for name in ("", "naive_", "seasonal_naive_"):
            out[f"{name}rmse"] = float(np.sqrt(out.pop(f"{name}mse")))
        return out

    def _forecast(self, model, windows: np.ndarray) -> np.ndarray:
        """Scaled input windows float32[n, lookback, features] -> forecasts in the data's
        units float32[n, horizon, targets, outputs]."""
        k = len(self.targets)
        out = np.asarray(jax.jit(lambda x: model(x))(jnp.asarray(np.nan_to_num(windows))))
        return out * self.scaler.std[:k, None] + self.scaler.mean[:k, None]

    def corpus_metrics(self, model, config, split):
        """On the test split, a PNG of forecast against actual (with the quantile band)
        over back-to-back windows of the first target: ``workdir/forecast_test.png``."""
        if split != "test" or jax.process_index():
            return {}
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("no forecast plot: pip install -e '.[plots]'", flush=True)
            return {}
        d = config.data
        starts = self.data.starts["test"][:: d.horizon][:8]
        rows = starts[:, None] + np.arange(d.lookback)[None, :]
        fc = self._forecast(model, self.data.scaled[rows])[:, :, 0]  # first target
        t = (starts[:, None] + d.lookback + np.arange(d.horizon)[None, :]).reshape(-1)
        fig, ax = plt.subplots(figsize=(9, 3.5))
        ax.plot(t, self.data.raw[t, 0], color="black", lw=1, label="actual")
        point = fc[..., len(self.quantiles) // 2] if self.quantiles else fc[..., 0]
        ax.plot(t, point.reshape(-1), color="tab:blue", lw=1, label="forecast")
        if len(self.quantiles) >= 2:
            ax.fill_between(
                t,
                fc[..., 0].reshape(-1),
                fc[..., -1].reshape(-1),
                color="tab:blue",
                alpha=0.2,
                label=f"{self.quantiles[0]:g}-{self.quantiles[-1]:g} quantiles",
            )
        ax.set_xlabel("row")
        ax.set_ylabel(self.targets[0])
        ax.legend(loc="upper left")
        fig.tight_layout()
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110)
        plt.close(fig)
        return {"outputs": {"forecast_test.png": png.getvalue()}}

    def predict(self, model, config, inputs):
        """The next ``data.horizon`` steps after the end of the file, one line per step."""
        d = config.data
        fc = self._forecast(model, self.data.scaled[None, -d.lookback :])[0]
        lines = []
        for step in range(d.horizon):
            parts = []
            for j, name in enumerate(self.targets):
                q = fc[step, j]
                if self.quantiles:
                    band = ", ".join(
                        f"q{x:g}={v:.4g}" for x, v in zip(self.quantiles, q, strict=True)
                    )
                    parts.append(f"{name}: {band}")
                else:
                    parts.append(f"{name}={q[0]:.4g}")
            lines.append(f"+{step + 1}: " + "; ".join(parts))
        return lines

    def baseline(self, config):
        return {}  # the naive forecasts are reported with every evaluation

    def describe(self, metrics, config, split):
        d = config.data
        return (
            f"forecast {','.join(self.targets)} {d.horizon} steps from {d.lookback}: {split} "
            f"MAE {metrics['mae']:.4g} (naive {metrics['naive_mae']:.4g}, seasonal naive "
            f"{metrics['seasonal_naive_mae']:.4g}), RMSE {metrics['rmse']:.4g} (naive "
            f"{metrics['naive_rmse']:.4g}), sMAPE {metrics['smape']:.4f} (naive "
            f"{metrics['naive_smape']:.4f}); direction of change right "
            f"{metrics['direction_accuracy']:.1%}"
        )
