"""Test setup: 8 fake CPU devices for the sharding tests, set before jax is imported, and
a compilation cache for this test process (its own temp folder, removed at exit): the
tiny end-to-end and resume tests build the same programs run after run, and compiling
them, not running them, is most of their time. Subprocesses (the multi-process tests,
the notebooks' kernels) compile for themselves."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # after the flags above

_CACHE = tempfile.mkdtemp(prefix="lstm_jax_test_xla_cache_")
atexit.register(shutil.rmtree, _CACHE, True)
jax.config.update("jax_compilation_cache_dir", _CACHE)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
