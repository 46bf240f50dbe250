"""What the two Dask examples share: the cluster, the data, the client's memory.

Not an example itself: ``dask_linear.py`` and ``dask_mlp.py`` import it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import Any

SCHEDULER_HELP = (
    "address of a running Dask scheduler, e.g. tcp://host:8786 (default: start "
    "a LocalCluster on 127.0.0.1 with --workers worker processes)"
)


def make_parser(doc: str, epochs: int, rows: int) -> argparse.ArgumentParser:
    """``--epochs``, ``--scheduler``, ``--workers``, ``--rows`` and ``--chunk``."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=epochs, help=f"({epochs})")
    parser.add_argument("--scheduler", default=None, help=SCHEDULER_HELP)
    parser.add_argument("--workers", type=int, default=2, help="local workers (2)")
    parser.add_argument("--rows", type=int, default=rows, help=f"data rows ({rows})")
    parser.add_argument(
        "--chunk", type=int, default=50_000, help="rows per chunk (50000)"
    )
    return parser


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator[Any]:
    """A ``Client`` of ``--scheduler``, or of a new loopback LocalCluster.

    On leaving, the client is closed, and so is a cluster this script started;
    a scheduler given on the command line is left running.
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def client_memory_mb() -> float:
    """Resident memory of this (the client's) process, in MB."""
    import psutil  # a dependency of dask.distributed

    return psutil.Process(os.getpid()).memory_info().rss / 1e6
