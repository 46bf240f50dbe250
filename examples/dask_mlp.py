"""A small MLP trained on rows spread over a Dask cluster, with Adam.

    python examples/dask_mlp.py                      # a LocalCluster on 127.0.0.1
    python examples/dask_mlp.py --rows 1000000 --hidden 64 --epochs 100
    python examples/dask_mlp.py --scheduler tcp://host:8786

The data, x uniform in [-1, 1]^--features and y = sin(3 x0) cos(2 x1) plus
noise, are drawn on the workers chunk by chunk and persisted there once. An
MLP (features -> hidden -> hidden -> 1, tanh) takes one full-batch step per
epoch: the forward and backward pass build a graph,
xgrad.persist(model, loss) runs it in one pass (Dask sums each weight's
gradient over the row chunks, and the forward pass serves the loss and every
gradient), and Adam's update, which on a lazy backend persists the new
weights and moments itself, starts from those values.

The weights are created on the input's device (``dask``) at the first call,
as single-chunk Dask arrays; persisted each step, they keep the graph one
step long, so the client's memory stays flat however many epochs run.
"""

from __future__ import annotations

import numpy as np
from _common import Clock
from _dask_cluster import client_memory_mb, connect, make_parser, settle

import xgrad
import xgrad.functions as F
from xgrad.models import MLP
from xgrad.optimizers import Adam


def make_data(rows: int, features: int, chunk: int, seed: int = 0):
    """x in [-1, 1] and y = sin(3 x0) cos(2 x1) + noise, float32, on the workers."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (rows, features), chunks=(chunk, features))
    y = da.sin(3 * x[:, :1]) * da.cos(2 * x[:, 1:2])
    y = y + 0.05 * rng.standard_normal((rows, 1), chunks=(chunk, 1))
    return x.astype(np.float32), y.astype(np.float32)


def main() -> None:
    parser = make_parser(__doc__, epochs=60, rows=200_000)
    parser.add_argument("--features", type=int, default=4, help="columns of x")
    parser.add_argument(
        "--hidden", type=int, default=32, help="units in each hidden layer"
    )
    parser.add_argument("--lr", type=float, default=0.02, help="Adam's alpha")
    args = parser.parse_args()
    with connect(args) as client:
        train(args, client)


def train(args, client) -> None:
    clock = Clock()
    x, y = client.persist(list(make_data(args.rows, args.features, args.chunk)))
    print(
        f"dask_mlp: {args.rows} rows x {args.features} features in "
        f"{x.numblocks[0]} chunks on {len(client.scheduler_info()['workers'])} "
        f"workers ({client.scheduler.address})"
    )
    xgrad.manual_seed(0)
    model = MLP((args.hidden, args.hidden, 1), activation=F.tanh)
    optimizer = Adam(alpha=args.lr).setup(model)
    memory, first = [], None
    for epoch in range(1, args.epochs + 1):
        loss = F.mean_squared_error(model(x), y)
        model.cleargrads()
        loss.backward()
        xgrad.persist(model, loss)  # one pass over the chunks: gradients and loss
        optimizer.update()  # from evaluated gradients; persists weights and moments
        memory.append(client_memory_mb())
        first = float(loss.data) if first is None else first
        if epoch == 1 or epoch % max(1, args.epochs // 6) == 0:
            print(f"epoch {epoch:3d}  loss {float(loss.data):.5f}  {clock}")
    settle(model)  # the last update is still running on the workers
    print(f"loss fell from {first:.5f} to {float(loss.data):.5f}")
    print(
        f"weights on {model.l0.W.device}, {sum(p.size for p in model.params())} values"
    )
    print(
        f"client memory: {memory[0]:.0f} MB after the first step, "
        f"{memory[-1]:.0f} MB after the last"
    )


if __name__ == "__main__":
    main()
