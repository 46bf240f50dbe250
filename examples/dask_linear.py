"""Linear regression on rows spread over a Dask cluster: data-parallel gradients.

    python examples/dask_linear.py                     # a LocalCluster on 127.0.0.1
    python examples/dask_linear.py --rows 2000000 --epochs 30
    python examples/dask_linear.py --scheduler tcp://host:8786

The data, x (rows x --features) and y = x @ w_true + 3 + noise, are drawn on
the workers by dask.array.random, one chunk of --chunk rows at a time, and
stay there (persisted once): the client never holds a row. Each epoch is one
full-batch gradient step: the forward and backward pass only build a graph;
Dask sums x_chunk.T @ residual_chunk over the chunks on the workers; SGD
updates W and b; and xgrad.persist(W, b, loss) runs that step in one pass.

The parameters are single-chunk Dask arrays: an op takes all its inputs from
one library, and (features x 1) weights are one tiny chunk. Persisting them
after each update means every step's graph starts from values, not from the
previous step's graph, so the graph and the client's memory stay flat.
"""

from __future__ import annotations

import numpy as np
from _common import Clock
from _dask_cluster import client_memory_mb, connect, make_parser, settle

import xgrad
import xgrad.functions as F
from xgrad import Variable


def make_data(rows: int, features: int, chunk: int, seed: int = 0):
    """x and y = x @ w_true + 3 + noise, drawn on the workers; and w_true."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    w_true = np.linspace(-1.0, 1.0, features).reshape(features, 1)
    x = rng.standard_normal((rows, features), chunks=(chunk, features))
    y = x @ w_true + 3.0 + 0.1 * rng.standard_normal((rows, 1), chunks=(chunk, 1))
    return x, y, w_true


def main() -> None:
    parser = make_parser(__doc__, epochs=20, rows=1_000_000)
    parser.add_argument("--features", type=int, default=8, help="columns of x")
    parser.add_argument("--lr", type=float, default=0.2, help="SGD's learning rate")
    args = parser.parse_args()
    with connect(args) as client:
        train(args, client)


def train(args, client) -> None:
    clock = Clock()
    x, y, w_true = make_data(args.rows, args.features, args.chunk)
    x, y = client.persist([x, y])  # generated once, kept in the workers' memory
    print(
        f"dask_linear: {args.rows} rows x {args.features} features in "
        f"{x.numblocks[0]} chunks on {len(client.scheduler_info()['workers'])} "
        f"workers ({client.scheduler.address})"
    )
    W = Variable(xgrad.zeros((args.features, 1), device="dask"), name="W")
    b = Variable(xgrad.zeros((1,), device="dask"), name="b")
    memory = [client_memory_mb()]
    for epoch in range(1, args.epochs + 1):
        W.cleargrad()
        b.cleargrad()
        loss = F.mean_squared_error(F.linear(x, W, b), y)
        loss.backward()  # a graph: nothing is computed yet
        W.data = W.data - args.lr * W.grad.data
        b.data = b.data - args.lr * b.grad.data
        xgrad.persist(W, b, loss)  # one pass: the loss, both gradients, W and b
        memory.append(client_memory_mb())
        if epoch == 1 or epoch % max(1, args.epochs // 5) == 0:
            print(f"epoch {epoch:3d}  loss {float(loss.data):.6f}  {clock}")
    settle(W, b, loss)  # the last step is still running on the workers
    w, bias = xgrad.compute(W, b)
    print(f"max |W - w_true| = {np.abs(w - w_true).max():.4f}, b = {bias[0]:.4f}")
    print(
        f"client memory: {memory[1]:.0f} MB after the first step, "
        f"{memory[-1]:.0f} MB after the last"
    )


if __name__ == "__main__":
    main()
