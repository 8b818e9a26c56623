"""Keeps freed memory in the process so XLA:CPU's per-step buffers are not page-faulted anew.

XLA:CPU allocates a step's temporaries (an LM's float32[batch * bptt, vocab] logits and
their gradient: 16 MB each for PTB at batch 20 x 20) with malloc and frees them when the
step ends. glibc serves blocks of 128 KiB and more with a fresh mmap, or returns the top
of the heap to the kernel once 128 KiB of it are free, so every step touches new pages:
a page fault per 4 KiB, a quarter of the Zaremba small model's step time on a 2-core CPU
(benchmarks/RESULTS.md, "Where the LM step goes"). Raising both thresholds keeps the
pages mapped; the cost is that the process's resident size stays at its peak.

``mallopt`` is called at run time because ``MALLOC_*_`` environment variables are only read
at process start. Elsewhere than glibc (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
MMAP_THRESHOLD_MAX = 32 << 20  # glibc's ceiling on 64-bit hosts; larger values are refused


@functools.cache
def keep_freed_memory() -> bool:
    """Returns True if glibc accepted the settings (once per process)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)
    ok &= mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    ok &= mallopt(M_TOP_PAD, 256 << 20)
    return bool(ok)
