"""Pictures of graphs: DeZero's DOT text, and rendering without a shell."""

from __future__ import annotations

import re

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import Variable
from xgrad.graph import get_dot_graph, plot_dot_graph

NODE = re.compile(r'^(\d+) \[label="([^"]*)", (.*)\]$')
EDGE = re.compile(r"^(\d+) -> (\d+)$")


def parse(dot):
    """DOT text as ({node id: (label, attributes)}, {(tail, head)})."""
    lines = dot.splitlines()
    assert lines[0] == "digraph g {"
    assert lines[-1] == "}"
    nodes, edges = {}, set()
    for line in lines[1:-1]:
        if m := NODE.match(line):
            nodes[int(m[1])] = (m[2], m[3])
        elif m := EDGE.match(line):
            edges.add((int(m[1]), int(m[2])))
        else:
            raise AssertionError(f"not a node or an edge: {line!r}")
    return nodes, edges


def small_graph(to_array=np.asarray):
    """z = tanh(x * w): four Variables, two Functions, five edges."""
    x = Variable(to_array(np.ones((2, 3))), name="x")
    w = Variable(to_array(np.full((2, 3), 0.5)), name="w")
    z = F.tanh(x * w)
    z.name = "z"
    return x, w, z


def test_dot_graph_has_dezeros_nodes_and_edges():
    x, w, z = small_graph()
    tanh = z.creator
    t = tanh.inputs[0]
    mul = t.creator
    nodes, edges = parse(get_dot_graph(z))
    assert set(nodes) == {id(x), id(w), id(t), id(z), id(mul), id(tanh)}
    assert edges == {
        (id(x), id(mul)),
        (id(w), id(mul)),
        (id(mul), id(t)),
        (id(t), id(tanh)),
        (id(tanh), id(z)),
    }


def test_dot_graph_labels_functions_by_class_name_in_boxes():
    _, _, z = small_graph()
    nodes, _ = parse(get_dot_graph(z))
    boxes = sorted(label for label, attrs in nodes.values() if "shape=box" in attrs)
    assert boxes == ["Mul", "Tanh"]


def test_verbose_labels_show_name_shape_and_dtype():
    _, _, z = small_graph()
    labels = {label for label, _ in parse(get_dot_graph(z, verbose=True))[0].values()}
    assert {"x: (2, 3) float64", "w: (2, 3) float64", "z: (2, 3) float64"} <= labels
    assert "(2, 3) float64" in labels  # the unnamed intermediate


def test_terse_labels_show_only_names():
    _, _, z = small_graph()
    labels = {label for label, _ in parse(get_dot_graph(z, verbose=False))[0].values()}
    assert labels == {"x", "w", "z", "", "Mul", "Tanh"}


@pytest.mark.skip_backend("numpy", reason="NumPy Variables show no device")
def test_labels_name_the_backend_and_device_off_numpy(to_backend, device_spec):
    _, _, z = small_graph(to_backend)
    nodes, _ = parse(get_dot_graph(z))
    where = str(xgrad.device(device_spec))
    assert nodes[id(z)][0] == f"z: (2, 3) {z.dtype} {where}"


# -- plot_dot_graph ------------------------------------------------------------------


@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setattr("xgrad.graph.shutil.which", lambda name: None)


@pytest.fixture
def fake_dot(monkeypatch):
    """Pretend Graphviz is installed; record the calls instead of running it."""
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs))
        with open(args[-1], "wb") as f:  # what `dot -o FILE` would do
            f.write(b"\x89PNG")

    monkeypatch.setattr("xgrad.graph.shutil.which", lambda name: "/opt/fake/dot")
    monkeypatch.setattr("xgrad.graph.subprocess.run", run)
    return calls


def test_without_dot_only_the_dot_file_is_written(no_dot, tmp_path, monkeypatch):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "out"
    out.mkdir()
    _, _, z = small_graph()
    written = plot_dot_graph(z, to_file=out / "graph.png")
    assert written == str(out / "graph.dot")
    assert [p.name for p in out.iterdir()] == ["graph.dot"]
    assert list(elsewhere.iterdir()) == []
    assert (out / "graph.dot").read_text() == get_dot_graph(z)


def test_without_dot_it_prints_how_to_render(no_dot, tmp_path, capsys):
    _, _, z = small_graph()
    plot_dot_graph(z, to_file=tmp_path / "graph.svg")
    printed = capsys.readouterr().out
    assert "not installed" in printed
    dot_file, svg_file = tmp_path / "graph.dot", tmp_path / "graph.svg"
    assert f"dot -Tsvg {dot_file} -o {svg_file}" in printed


def test_dot_runs_with_an_argument_list_and_no_shell(fake_dot, tmp_path):
    _, _, z = small_graph()
    target = tmp_path / "my graph; rm -rf ~.png"  # harmless without a shell
    written = plot_dot_graph(z, to_file=target)
    assert written == str(target)
    [(args, kwargs)] = fake_dot
    assert isinstance(args, list)
    assert args[0] == "/opt/fake/dot"
    assert args[1].endswith(".dot")
    assert not args[1].startswith(str(tmp_path))  # a temporary file, not the user's
    assert args[2:] == ["-T", "png", "-o", str(target)]
    assert not kwargs.get("shell", False)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # nothing else written


def test_asking_for_a_dot_file_keeps_it(fake_dot, tmp_path):
    _, _, z = small_graph()
    target = tmp_path / "graph.dot"
    # DeZero renders through a temporary file; here the .dot twin is the target
    assert plot_dot_graph(z, to_file=target) == str(target)
    assert target.is_file()
    assert target.stat().st_size > 0
