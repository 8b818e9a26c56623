"""Microsoft's daily closing price, one day ahead: an LSTM against the naive forecast.

    python -m lstm_jax.main --config=configs/stock.py --workdir=/tmp/msft

1986-2017 daily prices (7,983 days), split 70/15/15 in time order; the target is the
close, the other prices and the volume are covariates. The naive forecast (tomorrow's
close = today's) is the bar any model must clear; the README says plainly how the LSTM
compares.
"""

from configs import etth1


def get_config():
    c = etth1.get_config("1")
    c.data.file = "../shared/data/timeseries/msft_stock/msft.csv"
    c.data.time_column = "Date"
    c.data.targets = "Close"
    c.data.covariates = "Open,High,Low,Volume"
    c.data.split = "0.7,0.15,0.15"
    c.data.lookback = 30
    c.data.season = 5  # trading days in a week
    c.model.loss = "mse"
    return c
