"""Writing files that other processes (a resumed run, eval, a notebook) read back."""

from __future__ import annotations

import os


def write_atomic(path: str, content: str | bytes) -> None:
    """Write-then-rename, so no reader ever sees half a file, even after a kill."""
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb" if isinstance(content, bytes) else "w", encoding=None) as f:
        f.write(content)
    os.replace(tmp, path)
