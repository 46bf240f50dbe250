"""What the two Dask examples share: the cluster, the data, the client's memory.

Not an example itself: ``dask_linear.py`` and ``dask_mlp.py`` import it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import Any

from _common import HelpFormatter

SCHEDULER_HELP = (
    "address of a running Dask scheduler, e.g. tcp://host:8786 (default: start "
    "a LocalCluster on 127.0.0.1 with --workers worker processes)"
)


def make_parser(doc: str, epochs: int, rows: int) -> argparse.ArgumentParser:
    """``--epochs``, ``--scheduler``, ``--workers``, ``--rows`` and ``--chunk``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=HelpFormatter)
    parser.add_argument(
        "--epochs", type=int, default=epochs, help="full-batch gradient steps"
    )
    parser.add_argument("--scheduler", default=None, help=SCHEDULER_HELP)
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes of the LocalCluster"
    )
    parser.add_argument("--rows", type=int, default=rows, help="rows of data")
    parser.add_argument("--chunk", type=int, default=50_000, help="rows per chunk")
    return parser


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator[Any]:
    """A ``Client`` of ``--scheduler``, or of a new loopback LocalCluster.

    On leaving, the client is closed, and so is a cluster this script started;
    a scheduler given on the command line is left running. Call
    :func:`settle` first: closing while workers still exchange results cuts
    their connections (``CommClosedError`` tracebacks in the log).
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
        if cluster is not None:
            client.run(_drop_heartbeat_error_at_close)
        client.close()
        if cluster is not None:
            cluster.close()


def _drop_heartbeat_error_at_close() -> None:
    """On each worker of the script's own cluster, as it closes: drop one log record.

    ``Worker.close`` stops the heartbeat timer, but a heartbeat already on its
    way to the scheduler goes on, and closing the worker's connections makes
    it fail: the worker logs "Failed to communicate with scheduler during
    heartbeat" with a ``CommClosedError`` traceback, now and then, at the end
    of a run that went well. Every other message still gets through.
    """
    import logging

    heartbeat = "Failed to communicate with scheduler during heartbeat"
    logging.getLogger("distributed.worker").addFilter(
        lambda record: not record.getMessage().startswith(heartbeat)
    )


def settle(*items: Any) -> None:
    """Wait until the cluster holds every array of ``items`` (Variables, Layers).

    ``xgrad.persist`` and an optimizer's step on Dask return at once while the
    workers go on computing, so the last step of a training loop may still be
    running when the script is done: wait for its parameters, gradients and
    optimizer state before the cluster closes.
    """
    from dask.distributed import futures_of, wait

    variables = []
    for item in items:  # a Layer stands for its Parameters
        variables += list(item.params()) if hasattr(item, "params") else [item]
    arrays = [v.data for v in variables]
    arrays += [v.grad.data for v in variables if v.grad is not None]
    arrays += [a for v in variables for a in getattr(v, "state", {}).values()]
    wait(futures_of(arrays))  # only the Dask arrays' futures: NumPy ones are done


def client_memory_mb() -> float:
    """Resident memory of this (the client's) process, in MB."""
    import psutil  # a dependency of dask.distributed

    return psutil.Process(os.getpid()).memory_info().rss / 1e6
