"""Recurrent layers and regularisers. Layers never import training, tasks or data."""

from lstm_jax.nn.locked_dropout import LockedDropout
from lstm_jax.nn.recurrent import GRU, LSTM, SimpleRNN
from lstm_jax.nn.recurrent_base import LSTMState

__all__ = ["GRU", "LSTM", "LSTMState", "LockedDropout", "SimpleRNN"]
