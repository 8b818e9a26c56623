#!/usr/bin/env bash
# The GPU check and benchmark in one command (benchmarks/gpu.py): cuDNN against our scan
# kernel on the device first, then the layer and LM timings. Runs from a checkout with
# PYTHONPATH (the GPU machine has jax, flax, optax and torch; nothing is installed).
#   benchmarks/gpu.sh [--markdown FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
exec timeout 480 python benchmarks/gpu.py "$@"
