"""CTC decoding (Graves et al. 2006): best path and prefix beam search.

The loss itself is ``optax.ctc_loss``. A CTC output ``log_probs: float32[batch, time,
tokens]`` scores every frame; a labelling is read from a path by merging repeated tokens,
then dropping ``blank``. Best path takes the most likely token per frame (fast, the usual
greedy decoder); prefix beam search keeps the ``beam`` most likely *labellings* (summing
every path that yields each one), which is what the loss optimises.
"""

from __future__ import annotations

import math
from collections import defaultdict

import jax
import jax.numpy as jnp
import numpy as np

Array = jax.Array


def collapse(path, blank: int = 0) -> list[int]:
    """A frame path -> its labelling: repeats merged, then blanks dropped."""
    out, prev = [], None
    for t in path:
        t = int(t)
        if t != prev and t != blank:
            out.append(t)
        prev = t
    return out


def greedy(log_probs: Array, lengths: Array, blank: int = 0) -> list[list[int]]:
    """Best-path decoding. log_probs: float32[batch, time, tokens], lengths: int[batch]
    (frames past a length are ignored) -> one token list per row."""
    best = np.asarray(jnp.argmax(log_probs, -1))
    return [
        collapse(row[: int(n)], blank) for row, n in zip(best, np.asarray(lengths), strict=True)
    ]


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def beam_search(
    log_probs: np.ndarray, beam: int = 8, blank: int = 0
) -> list[tuple[list[int], float]]:
    """Prefix beam search over one utterance. log_probs: float32[time, tokens] (log
    softmax) -> up to ``beam`` (labelling, log probability) pairs, most likely first.

    Each prefix keeps two scores: its paths ending in blank and ending in its last token,
    so that "a a" (two tokens) and "aa" (one, merged) stay apart."""
    log_probs = np.asarray(log_probs, np.float64)
    neg = -math.inf
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, neg)}  # (blank, token)
    for frame in log_probs:
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [neg, neg])
        for prefix, (p_b, p_nb) in beams.items():
            total = _logsumexp(p_b, p_nb)
            last = prefix[-1] if prefix else None
            for tok, lp in enumerate(frame):
                if tok == blank:
                    entry = nxt[prefix]
                    entry[0] = _logsumexp(entry[0], total + lp)
                elif tok == last:
                    entry = nxt[prefix]  # a repeat without a blank between: merged
                    entry[1] = _logsumexp(entry[1], p_nb + lp)
                    longer = nxt[(*prefix, tok)]  # a blank between: a new token
                    longer[1] = _logsumexp(longer[1], p_b + lp)
                else:
                    longer = nxt[(*prefix, tok)]
                    longer[1] = _logsumexp(longer[1], total + lp)
        live = [kv for kv in nxt.items() if _logsumexp(*kv[1]) > neg]  # 0: a blank-less repeat
        ranked = sorted(live, key=lambda kv: -_logsumexp(*kv[1]))[:beam]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    out = [(list(k), _logsumexp(*v)) for k, v in beams.items()]
    return sorted(out, key=lambda kv: -kv[1])
