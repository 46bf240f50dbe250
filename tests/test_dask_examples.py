"""The Dask examples run at a tiny size on their own loopback LocalCluster.

Like tests/test_examples.py, each script runs in a subprocess with this
interpreter; these need the dask backend (``--backend dask``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TINY = ["--rows", "20000", "--chunk", "5000", "--workers", "2"]

pytestmark = pytest.mark.slow


def run(script: str, *args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *TINY, *args],
        cwd=cwd,
        capture_output=True,
        check=False,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}"
    # the cluster closes cleanly: no worker cut off mid-transfer or mid-heartbeat
    assert "Traceback" not in result.stderr, result.stderr
    assert "Error" not in result.stderr, result.stderr
    return result.stdout


def test_dask_linear_learns_the_weights(dask_array, tmp_path: Path) -> None:
    out = run("dask_linear.py", "--epochs", "25", cwd=tmp_path)
    assert "20000 rows x 8 features in 4 chunks on 2 workers (tcp://127.0.0.1:" in out
    error = re.search(r"max \|W - w_true\| = (\S+), b = (\S+)", out)
    assert error, out
    assert float(error.group(1)) < 0.05, out
    assert abs(float(error.group(2)) - 3.0) < 0.05, out
    assert "client memory:" in out


def test_dask_mlp_lowers_its_loss(dask_array, tmp_path: Path) -> None:
    out = run("dask_mlp.py", "--epochs", "8", "--hidden", "8", cwd=tmp_path)
    assert "in 4 chunks on 2 workers (tcp://127.0.0.1:" in out
    fell = re.search(r"loss fell from (\S+) to (\S+)", out)
    assert fell, out
    assert float(fell.group(2)) < float(fell.group(1)), out
    assert "weights on dask" in out


def test_scheduler_option_connects_to_a_running_cluster(
    dask_array, tmp_path: Path
) -> None:
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        out = run(
            "dask_linear.py",
            "--epochs",
            "2",
            "--scheduler",
            cluster.scheduler_address,
            cwd=tmp_path,
        )
        assert f"on 1 workers ({cluster.scheduler_address})" in out
        assert len(cluster.workers) == 1  # the script left the cluster running
