"""benchmarks/gpu.py, the one command for the lent GPU, runs end to end here at toy sizes
(``--dry-run``: lstm_ref answers for cuDNN), so a broken script never costs device time."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_gpu_script_dry_run(tmp_path):
    out = tmp_path / "gpu.md"
    env = dict(os.environ, PYTHONPATH=REPO, XLA_FLAGS="--xla_force_host_platform_device_count=1")
    proc = subprocess.run(
        [sys.executable, "benchmarks/gpu.py", "--dry-run", "--markdown", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert "Correctness: scan vs cuDNN, max relative difference" in text
    assert text.count("| (4, 5, 8, 2) |") == 1, text  # the layer shape timed
    for side in ("ours, cuDNN layers, float32", "ours, scan, bfloat16"):
        assert f"| {side} |" in text
    assert (
        "no CUDA GPU"
        in subprocess.run(
            [sys.executable, "benchmarks/gpu.py"], cwd=REPO, env=env, capture_output=True, text=True
        ).stderr
    )
