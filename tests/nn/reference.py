"""Independent float64 NumPy implementations of the textbook recurrences.

Written from the equations, step by step and one sequence at a time, sharing no code
with ``lstm_jax.nn``; the tests compare the library against these.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def layer_norm(x, scale, bias=0.0, eps=1e-5):
    return (x - x.mean()) / np.sqrt(x.var() + eps) * scale + bias


def lstm_cell(p, x, h, c):
    """p: dict of per-gate float64 arrays W_xi [in, H], W_hi [out, H], b_i [H], ...."""
    pre = {}
    for g in "ifgo":
        a, r = x @ p["W_x" + g], h @ p["W_h" + g]
        if "ln_x" in p:
            a = layer_norm(a, p["ln_x"][g])
            r = layer_norm(r, p["ln_h"][g])
        pre[g] = a + r + p["b_" + g]
    i, f, g, o = sigmoid(pre["i"]), sigmoid(pre["f"]), np.tanh(pre["g"]), sigmoid(pre["o"])
    c_new = f * c + i * g
    c_act = c_new if "ln_c" not in p else layer_norm(c_new, *p["ln_c"])
    h_new = o * np.tanh(c_act)
    if "W_hr" in p:
        h_new = h_new @ p["W_hr"]
    return h_new, c_new


def gru_cell(p, x, h, _c=None):
    r = sigmoid(x @ p["W_xr"] + p["b_xr"] + h @ p["W_hr"] + p["b_hr"])
    z = sigmoid(x @ p["W_xz"] + p["b_xz"] + h @ p["W_hz"] + p["b_hz"])
    n = np.tanh(x @ p["W_xn"] + p["b_xn"] + r * (h @ p["W_hn"] + p["b_hn"]))
    return (1 - z) * n + z * h, None


def rnn_cell(p, x, h, _c=None):
    return np.tanh(x @ p["W_x"] + h @ p["W_h"] + p["b"]), None


def run_sequence(cell, p, xs, h, c):
    """xs: [T, in] one unpadded sequence -> outputs [T, out], final (h, c)."""
    ys = []
    for x in xs:
        h, c = cell(p, x, h, c)
        ys.append(h)
    return np.stack(ys) if ys else np.zeros((0, h.shape[-1])), h, c


def run_stack(cell, params, xs, h0, c0, bidirectional):
    """params[layer][direction]; xs: [T, in]; h0/c0: [L*D, out/H] -> outputs, hN, cN."""
    d_count = 2 if bidirectional else 1
    hs, cs = [], []
    inp = xs
    for layer, per_dir in enumerate(params):
        outs = []
        for d in range(d_count):
            k = layer * d_count + d
            seq = inp if d == 0 else inp[::-1]
            c_init = None if c0 is None else c0[k]
            ys, h, c = run_sequence(cell, per_dir[d], seq, h0[k], c_init)
            outs.append(ys if d == 0 else ys[::-1])
            hs.append(h)
            cs.append(c)
        inp = np.concatenate(outs, axis=-1)
    return inp, np.stack(hs), (None if c0 is None else np.stack(cs))
