"""Study 1: long-range memory. LSTM vs GRU vs tanh RNN on the adding and copy tasks as
the sequence grows (T = 50, 100, 200, 400), at an equal parameter budget, 3 seeds.

    python -m experiments.sweep experiments/long_range/sweep.py --root=/tmp/long_range --parallel=2

Hidden sizes give each cell about the LSTM's recurrent parameter count (weights and
biases): adding (2 inputs) LSTM 64 -> 17.2k, GRU 74 -> 17.3k, RNN 129 -> 17.0k; copy
(10 inputs) LSTM 64 -> 19.2k, GRU 74 -> 19.1k, RNN 133 -> 19.2k. Every run trains
1,000 steps of batch 64 (the configs' own budgets, 1,500 and 3,000 steps, would take
about 4 hours for the 72 runs on 2 cores), so a cell that needs more steps at long T
shows it here.
"""

CONFIG = "configs/adding.py"
SEEDS = [0, 1, 2]
METRICS = ["mse", "loss", "recall_accuracy"]
PLOT = {
    "x": "data.length",
    "series": "model.cell",
    "facet": "config",
    "metric": ["mse", "recall_accuracy"],
}
HIDDEN = {
    "configs/adding.py": {"lstm": 64, "gru": 74, "rnn": 129},
    "configs/copy.py": {"lstm": 64, "gru": 74, "rnn": 133},
}
BUDGET = {"num_train_steps": 1000, "eval_every": 250, "checkpoint_every": 250}


def sweep(add):
    for config, sizes in HIDDEN.items():
        for cell, hidden in sizes.items():
            for length in (50, 100, 200, 400):
                add(
                    config=config,
                    **{"model.cell": cell, "model.hidden_features": hidden, "data.length": length},
                    **BUDGET,
                )
