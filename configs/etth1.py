"""ETTh1 (electricity transformer oil temperature, hourly): forecast OT 24 hours ahead.

    python -m lstm_jax.main --config=configs/etth1.py --workdir=/tmp/etth1
    python -m lstm_jax.main --config=configs/etth1.py:96 --workdir=/tmp/etth1_96   # 96 h ahead

The usual 12/4/4-month split (8,640 / 2,880 / 2,880 rows); univariate by default.
Quantile loss (0.1, 0.5, 0.9) gives an 80% interval; the median is the point forecast.
MAE, RMSE and sMAPE are in degrees, beside the naive (last value) and seasonal naive
(same hour yesterday) forecasts on the same windows. A plot of the test forecasts is
written to the workdir. Expected result and time: see the README's table.
"""

import ml_collections

from configs import default
from configs.default import epochs


def get_config(horizon: str = "24"):
    c = default.get_config("forecast")
    c.seed = 0
    c.batch_size = 64

    c.data.file = "../shared/data/timeseries/ett/ETTh1.csv"
    c.data.targets = "OT"
    # the six load columns as covariates made validation worse here (MAE 1.90 vs 1.61):
    # --config.data.covariates=HUFL,HULL,MUFL,MULL,LUFL,LULL to try them
    c.data.split = "8640,2880,2880"  # rows (or fractions) of train, valid, test, in order
    c.data.horizon = int(horizon)
    c.steps_per_epoch = 134  # stands in until the data is read

    c.model = ml_collections.ConfigDict()
    c.model.hidden_features = 64
    c.model.num_layers = 1
    c.model.decoder = "direct"  # direct | autoregressive
    c.model.residual = True  # forecast the change from the last value (naive + a learned change)
    c.model.loss = "quantile"  # mse | mae | quantile
    c.model.quantiles = "0.1,0.5,0.9"
    c.model.dropout = 0.0

    c.optimizer.name = "adam"
    c.optimizer.learning_rate = 1e-3
    c.optimizer.clip_norm = 1.0
    c.num_train_steps = epochs(c, 10)
    c.eval_every = epochs(c, 1)
    c.log_every = 50
    c.checkpoint_every = epochs(c, 1)
    c.keep_checkpoints = 2
    c.early_stopping_patience = 3
    return c
