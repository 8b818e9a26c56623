"""Test setup: 8 fake CPU devices for the sharding tests, set before jax is imported, and
a compilation cache for this test process (its own temp folder, removed at exit): the
tiny end-to-end and resume tests build the same programs run after run, and compiling
them, not running them, is most of their time. The subprocesses a test starts (the
multi-process and command-line tests, the notebooks' kernels) inherit the same cache
through the environment, so a program compiled once is loaded, not compiled, by the next
process: the cached executable is the one a compile would build, results do not change."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # after the flags above

_CACHE = tempfile.mkdtemp(prefix="lstm_jax_test_xla_cache_")
atexit.register(shutil.rmtree, _CACHE, True)
_SETTINGS = {
    "jax_compilation_cache_dir": _CACHE,
    "jax_persistent_cache_min_compile_time_secs": 0,
    "jax_persistent_cache_min_entry_size_bytes": 0,
}
for _name, _value in _SETTINGS.items():
    jax.config.update(_name, _value)
    os.environ[_name.upper()] = str(_value)
