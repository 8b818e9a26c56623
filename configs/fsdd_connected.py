"""Connected spoken digits (FSDD recordings joined into 2-7 digit utterances): BiLSTM-CTC.

    python -m lstm_jax.main --config=configs/fsdd_connected.py --workdir=/tmp/fsdd_connected
    # speaker-independent: hold out one speaker for test (george by default)
    python -m lstm_jax.main --config=configs/fsdd_connected.py:speaker=lucas \
        --workdir=/tmp/fsdd_lucas

Utterances join 2-7 recordings with 50-300 ms of silence before, between and after them,
drawn with data.connected_seed: 6,000 from the training recordings (index 10-49), 300
from the valid ones (5-9), 600 from the official test recordings (0-4), so test never
hears a training recording. With ``:speaker=NAME`` the test set is drawn from that
speaker's recordings only and the other five train (valid: their index 0-4). Needs the
``audio`` extra (``pip install -e ".[audio]"``). Expected on a 2-core CPU: test WER 0.04%
at seed 0 (0.24 +- 0.32% over seeds 0-2), 12-18 minutes with the CPU shared; held-out
speakers: the README's speech table.
"""

from configs import fsdd_digits
from configs.default import epochs
from lstm_jax.errors import ConfigError

SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")


def get_config(variant: str = ""):
    c = fsdd_digits.get_config()
    c.data.connected = True
    c.data.connected_seed = 0
    c.data.connected_train = 6000
    c.data.connected_valid = 300
    c.data.connected_test = 600
    c.data.min_words, c.data.max_words = 2, 7
    c.data.pad_multiple = 64
    c.steps_per_epoch = 188  # stands in until the data is read
    if variant:
        name = variant.split("=", 1)[1] if variant.startswith("speaker=") else "george"
        if variant.split("=", 1)[0] != "speaker" or name not in SPEAKERS:
            raise ConfigError(
                f"unknown variant {variant!r}: use :speaker or :speaker=NAME, NAME one of "
                f"{', '.join(SPEAKERS)}"
            )
        c.data.test_rule = f"speaker={name}"
        c.data.valid_rule = "index=0-4"

    c.model.hidden_features = 160  # per direction
    c.model.num_layers = 2
    c.model.stack = 3  # 30 ms per LSTM step
    c.model.time_masks = 4

    # a first 12-epoch run peaked in valid WER at epoch 6 (1.19%, 1.87% at 12): 8 epochs
    c.num_train_steps = epochs(c, 8)
    c.eval_every = epochs(c, 1)
    c.checkpoint_every = epochs(c, 1)
    c.log_every = 94
    return c
