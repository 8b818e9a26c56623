"""Speech on FSDD: the README's rows (isolated and connected digits, official split, 3
seeds) and leave-one-speaker-out connected digits (each of the six speakers held out).

    python -m experiments.sweep experiments/fsdd/sweep.py --root=/tmp/fsdd

Every run is the shipped config unchanged except the held-out speaker
(``data.test_rule=speaker=NAME``; valid is the other five speakers' index 0-4).
"""

CONFIG = "configs/fsdd_digits.py"
SEEDS = [0, 1, 2]
METRICS = ["wer", "cer", "accuracy"]
SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]


def sweep(add):
    add()
    add(config="configs/fsdd_connected.py")
    for name in SPEAKERS:
        add(
            config="configs/fsdd_connected.py:speaker",
            seeds=[0],
            **{"data.test_rule": f"speaker={name}"},
        )
