"""Study 6: training cost of LSTM, GRU and tanh RNN at equal hidden size: the PTB word
LM of configs/ptb_small.py (2 layers, batch 20, bptt 20) at hidden 200 (1,000 steps)
and at hidden 650 (Zaremba's medium width, 200 steps). The time per epoch (2,323 steps,
929k tokens) is projected from the measured tokens/s.

    python -m experiments.sweep experiments/training_cost/sweep.py --root=/tmp/cost

tokens_per_s is the median over logged windows of 50 steps, the first (compiling) left out.
Run alone on the machine: other work on the cores lowers it.
"""

CONFIG = "configs/ptb_small.py"
SEEDS = [0]
METRICS = ["perplexity"]
PLOT = {"x": "model.hidden_features", "series": "model.cell", "metric": "tokens_per_s"}
WIDTHS = {200: {"num_train_steps": 1000}, 650: {"num_train_steps": 200}}


def sweep(add):
    for hidden, budget in WIDTHS.items():
        for cell in ("lstm", "gru", "rnn"):
            add(
                **{"model.cell": cell, "model.hidden_features": hidden, "model.embed": hidden},
                **budget,
                **{"optimizer.schedule": "constant", "checkpoint_every": 1000, "log_every": 50},
                **{"eval_every": budget["num_train_steps"], "data.test_batch_size": 20},
            )
