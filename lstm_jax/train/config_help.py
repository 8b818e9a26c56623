"""``--helpconfig``: every key of a config with its value and the comment that documents it.

The comments come from the sources that set the keys: the engine's defaults
(``configs/default.py``), the task's own keys (``lstm_jax/tasks/<task>.py``) and the config
file with the configs it builds on; the most specific comment wins.
"""

from __future__ import annotations

import inspect
import os
import re

import ml_collections

_ASSIGN = re.compile(r"^\s*c\.([\w.]+)\s*=\s*.+?\s+#\s*(.+)$")
_ENTRY = re.compile(r'^\s*"(\w+)":\s*.+?,\s+#\s*(.+)$')
_SECTION = re.compile(r'^\s*"(\w+)":\s*\{\s*$')
_IMPORT = re.compile(r"^from configs import ([\w, ]+)|^from configs\.(\w+) import")


def _config_comments(path: str, seen: set[str]) -> dict[str, str]:
    """Comments of ``c.key = value  # comment`` lines in a config and those it imports."""
    if path in seen or not os.path.isfile(path):
        return {}
    seen.add(path)
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        if m := _IMPORT.match(line):
            for name in (m.group(1) or m.group(2)).split(","):
                base = os.path.join(os.path.dirname(path), name.strip() + ".py")
                out = {**_config_comments(base, seen), **out}
    for line in lines:
        if m := _ASSIGN.match(line):
            out[m.group(1)] = m.group(2)
    return out


def _task_comments(task: object) -> dict[str, str]:
    """Comments of the ``"key": default,  # comment`` entries of a task's key sections."""
    out, section = {}, ""
    for line in inspect.getsource(type(task)).splitlines():
        if m := _SECTION.match(line):
            section = m.group(1)
        elif (m := _ENTRY.match(line)) and section:
            out[f"{section}.{m.group(1)}"] = m.group(2)
    return out


def config_help(config: ml_collections.ConfigDict, path: str) -> str:
    """One line per key, ``key = value  # comment``, in the config's own order."""
    from lstm_jax.tasks import get_task

    default = os.path.join(os.path.dirname(os.path.abspath(path)), "default.py")
    comments = _config_comments(default, set())
    comments.update(_task_comments(get_task(config.task)))
    comments.update(_config_comments(os.path.abspath(path), {os.path.abspath(default)}))
    lines = [f"# {path} (task {config.task!r}); override any key with --config.KEY=VALUE"]

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                note = comments.get(prefix + key)
                lines.append(f"{prefix}{key} = {value!r}" + (f"  # {note}" if note else ""))

    walk(config.to_dict(), "")
    return "\n".join(lines)
