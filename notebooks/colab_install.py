"""Colab set-up, run by each notebook's first cell from the fresh clone: JAX for the
runtime's accelerator (CUDA 13 GPU, TPU or CPU) and this repository with its extras."""

import os
import subprocess
import sys

gpu = subprocess.run("nvidia-smi", shell=True, capture_output=True).returncode == 0
tpu = "COLAB_TPU_ADDR" in os.environ or os.path.exists("/dev/accel0")
jax_req = f"jax{'[tpu]' if tpu else '[cuda13]' if gpu else ''}>=0.10,<0.11"
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cmd = [sys.executable, "-m", "pip", "install", "-q", jax_req, "-e", f"{here}[text,plots]"]
subprocess.run(cmd, check=True)
print(f"installed {jax_req} and lstm_jax from {here}")
