"""Study 5: preprocessing on real series. ETTh1 (24 h ahead) with scaling on and off (3 seeds);
Beijing PM2.5 (2,067 missing values) with each missing-value policy (1 seed).
ETTh1 runs configs/etth1.py as it is (10 epochs, early stopping); PM2.5 has 3.6 times
ETTh1's training rows, so its runs stop at 1,000 steps (about 2 epochs) to fit the hour.

    python -m experiments.sweep experiments/etth1_preprocessing/sweep.py --root=/tmp/prep
"""

CONFIG = "configs/etth1.py"
SEEDS = [0, 1, 2]
METRICS = ["mae", "naive_mae", "rmse", "smape"]
PLOT = {"x": "data.missing", "metric": "mae"}  # PM2.5: test MAE by missing-value policy
PM25 = {
    "data.file": "../shared/data/timeseries/beijing_pm25/pollution.csv",
    "data.time_column": "No",  # the row number: the file splits the date into columns
    "data.targets": "pm2.5",
    "data.split": "0.7,0.15,0.15",
    "num_train_steps": 1000,
    "eval_every": 200,
    "checkpoint_every": 200,
}


def sweep(add):
    for scale in (True, False):
        add(**{"data.scale": scale})
    for policy in ("ffill", "interpolate", "mask"):
        add(**PM25, **{"data.missing": policy}, seeds=[0])
