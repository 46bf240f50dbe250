"""Draw computational graphs: the one a formula builds, and the one its gradient builds.

    python examples/graph.py               # writes goldstein.dot and tanh_grad2.dot
    python examples/graph.py --order 4     # the graph of tanh's 4th derivative

xgrad records a graph of Variables and Functions as the code runs (define by
run). This script builds two, as the book's steps 26 and 35 do: the
Goldstein-Price function of two Variables, and the graph that
backward(create_graph=True) records while differentiating tanh ``--order``
times. Each is written as Graphviz DOT text (get_dot_graph), and also as a PNG
when Graphviz's ``dot`` program is installed (plot_dot_graph).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from _common import Clock, make_parser, parse

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad.utils import get_dot_graph, plot_dot_graph


def goldstein(x: Variable, y: Variable) -> Variable:
    """The Goldstein-Price test function (minimum 3 at (0, -1))."""
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (
        18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    )
    return a * b


def tanh_derivative(x: Variable, order: int) -> Variable:
    """The ``order``-th derivative of tanh at ``x``, with its graph recorded."""
    y = F.tanh(x)
    for _ in range(order):
        x.cleargrad()
        y.backward(create_graph=True)
        y = x.grad
    return y


def write(output: Variable, path: Path) -> None:
    """``path.dot`` always; ``path.png`` too when Graphviz is installed."""
    text = get_dot_graph(output, verbose=True)
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(text, encoding="utf-8")
    nodes = {line.split()[0] for line in text.splitlines() if "[label=" in line}
    edges = {line for line in text.splitlines() if "->" in line}
    print(f"wrote {dot_path}: {len(nodes)} nodes, {len(edges)} edges")
    if shutil.which("dot") is None:
        print(
            f"  Graphviz's dot is not installed; render with: dot -Tpng {dot_path} "
            f"-o {path.with_suffix('.png')}"
        )
        return
    png = plot_dot_graph(output, verbose=True, to_file=path.with_suffix(".png"))
    print(f"saved {png}")


def main() -> None:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--order", type=int, default=2, help="which derivative of tanh to draw"
    )
    args = parse(parser)
    clock = Clock()

    x = Variable(xgrad.asarray(1.0, device=args.device), name="x")
    y = Variable(xgrad.asarray(1.0, device=args.device), name="y")
    z = goldstein(x, y)
    z.name = "z"
    z.backward()
    print(
        f"goldstein(1, 1) = {float(z.data):.1f}, dz/dx = {float(x.grad.data):.1f}, "
        f"dz/dy = {float(y.grad.data):.1f}"
    )
    write(z, args.out / "goldstein")

    x = Variable(xgrad.asarray(1.0, device=args.device), name="x")
    gx = tanh_derivative(x, args.order)
    gx.name = f"d{args.order}y/dx{args.order}"
    print(f"tanh derivative of order {args.order} at 1 = {float(gx.data):.6f}")
    write(gx, args.out / f"tanh_grad{args.order}")
    print(f"done on {args.device} in {clock}")


if __name__ == "__main__":
    main()
