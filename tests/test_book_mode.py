"""Book mode: programs written as the book writes them print DeZero's numbers.

The programs in tests/book_programs/ import ``dezero``, seed NumPy's global
stream and train with layers, dropout, data loaders and optimizers, as the
book's steps do. ``python -m xgrad.book PROGRAM`` must print exactly what
DeZero 0.0.13 prints for the same program.

How EXPECTED was made: each program was run with the real DeZero 0.0.13 (the
PyPI release, on NumPy 2.4 with only ``numpy.int = int`` set before
``import dezero``, as a reader can run it today) by a script that sets
``numpy.int`` and then ``runpy.run_path(program, run_name="__main__")``; the
output was pasted here unchanged.
"""

# ruff: noqa: NPY002  (book mode is about NumPy's global stream)
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xgrad
import xgrad.book
from xgrad import random as xrandom

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "tests" / "book_programs"

EXPECTED = {
    "simple_core.py": """\
0 variable(0.5) variable(1.5) variable(78.6875) -125.75
100 variable(1.0539502291989016) variable(1.1089787811000031) variable(0.22392040920244505) -0.08679332986370464
200 variable(1.0709315287960732) variable(1.1451131908920076) variable(0.21595068054124314) -0.0830366232003722
300 variable(1.0871925140058447) variable(1.1802545797598478) variable(0.2084545380824192) -0.07958656834787886
""",
    "spiral_mlp.py": """\
epoch 1 loss 1.1269415244417917
epoch 2 loss 1.0461450609687302
epoch 3 loss 0.9506376064761476
float64 float32 float64
[ 0.52730337  0.07537231 -0.00885291]
""",
    "dropout_momentum.py": """\
MomentumSGD 0 1.1631963321212087
MomentumSGD 10 0.31880598095599755
MomentumSGD 20 0.28249209082884374
test 0.18626156591118845
Adam 0 0.8617489441525379
Adam 10 0.584075762402366
Adam 20 0.3678603890975801
test 0.36563172719144055
float32 [0.17810851 0.         0.15512411]
""",
    "lstm_sincurve.py": """\
step 15 loss 0.9453832852432534
step 30 loss 0.9661259382851164
step 45 loss 0.9688943302102955
step 60 loss 0.9689801441419917
(array([1.]), array([0.99998022])) (6, 6)
""",
    "conv_embed.py": """\
0 1.0311087751410826
1 0.32302347468419046
2 0.1462839540002805
float64 float64 [-0.2773882  -0.35475898 -0.08274148 -0.62700068]
""",
    "batchnorm_sigmoid.py": """\
epoch 3 loss 0.8471342601072799
epoch 6 loss 0.8131346379722356
epoch 9 loss 0.8060754983786378
epoch 12 loss 0.7607879104413943
[-0.02466285 -0.02537098  0.01758733] [0.13081519 0.59685652 0.13101414]
[[-0.65949193 -0.34123702 -0.01860944]] 1
""",
    "imports.py": """\
variable([2. 4.])
True True
True True
""",
}


def run_book(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m xgrad.book ARGS`` with this tree's xgrad first on the path."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "xgrad.book", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"},
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def without_real_dezero(monkeypatch):
    """Hide a real DeZero that other tests imported (install() refuses it)."""
    for name in [n for n in sys.modules if n == "dezero" or n.startswith("dezero.")]:
        monkeypatch.delitem(sys.modules, name)


@pytest.fixture
def book_mode():
    """Book mode on for one test, off again after it."""
    xgrad.book.install()
    yield
    xgrad.book.uninstall()


# -- the runner: DeZero's numbers, printed -------------------------------------------


@pytest.mark.parametrize("program", list(EXPECTED))
def test_book_program_prints_dezeros_numbers(program):
    result = run_book(str(PROGRAMS / program))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED[program]


def test_runner_passes_arguments_and_sets_argv(tmp_path):
    program = tmp_path / "args.py"
    program.write_text("import sys\nimport dezero\nprint(sys.argv, dezero.__name__)\n")
    result = run_book(str(program), "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"[{str(program)!r}, '--epochs', '3'] xgrad\n"


def test_runner_names_a_missing_program():
    result = run_book("no_such_step.py")
    assert result.returncode == 2
    assert "no such program: no_such_step.py" in result.stderr


def test_program_on_another_device_prints_the_same_losses(backend, device_spec):
    # The draws are NumPy's, moved: only the arithmetic's rounding may differ.
    if backend.name == "numpy":
        pytest.skip("numpy: the exact test above")
    if backend.name == "array_api_strict":
        pytest.skip("array_api_strict: its arrays have no len(), which the book uses")
    result = run_book("--device", device_spec, str(PROGRAMS / "spiral_mlp.py"))
    assert result.returncode == 0, result.stderr
    got = [line for line in result.stdout.splitlines() if line.startswith("epoch")]
    want = [x for x in EXPECTED["spiral_mlp.py"].splitlines() if x.startswith("epoch")]
    assert len(got) == len(want) == 3
    for line, ref in zip(got, want, strict=True):
        assert float(line.split()[-1]) == pytest.approx(float(ref.split()[-1]), 1e-9)


# -- install(): the same in a notebook ------------------------------------------------


def test_install_makes_the_books_imports_xgrad(book_mode):
    import dezero
    import dezero.functions as F
    from dezero import Variable
    from dezero.models import MLP

    assert dezero is xgrad
    assert F is xgrad.functions
    assert Variable is xgrad.Variable
    assert MLP is xgrad.models.MLP
    for name in ["layers", "optimizers", "datasets", "dataloaders", "transforms"]:
        module = importlib.import_module(f"dezero.{name}")
        assert module is importlib.import_module(f"xgrad.{name}")
        assert module.__spec__.name == f"xgrad.{name}"  # its own spec kept
    for name in ["utils", "cuda", "core", "functions_conv"]:
        assert importlib.import_module(f"dezero.{name}").__name__ == f"xgrad.{name}"


def test_dezero_core_simple_maps_to_xgrad_core_simple(book_mode):
    import dezero.core_simple

    assert dezero.core_simple is importlib.import_module("xgrad.core_simple")


def test_uninstall_removes_the_aliases_and_restores_the_generator():
    before = xrandom.default_generator()
    xgrad.book.install()
    import dezero  # noqa: F401

    assert xgrad.book.is_installed()
    assert isinstance(xrandom.default_generator(), xrandom.NumPyGlobalGenerator)
    xgrad.book.uninstall()
    assert not xgrad.book.is_installed()
    assert "dezero" not in sys.modules
    assert xrandom.default_generator() is before
    assert not any(type(f).__module__ == "xgrad.book._aliases" for f in sys.meta_path)


def test_install_refuses_when_the_real_dezero_is_imported(monkeypatch):
    fake = type(sys)("dezero")
    fake.__file__ = "/site-packages/dezero/__init__.py"
    monkeypatch.setitem(sys.modules, "dezero", fake)
    with pytest.raises(RuntimeError, match="real DeZero is already imported"):
        xgrad.book.install()
    assert not xgrad.book.is_installed()


def test_get_array_module_returns_numpy_itself_in_book_mode(book_mode):
    from dezero import Variable, cuda

    assert cuda.get_array_module(Variable(np.ones(2))) is np
    assert cuda.get_array_module(np.ones(2)) is np
    xgrad.book.uninstall()
    assert cuda.get_array_module(np.ones(2)) is not np  # the array-API namespace


# -- DeZero's draws, in DeZero's order ----------------------------------------------


def test_linear_weights_are_dezeros_draw(book_mode):
    np.random.seed(0)
    layer = xgrad.layers.Linear(4, in_size=3)
    np.random.seed(0)
    expected = np.random.randn(3, 4).astype(np.float32) * np.sqrt(1 / 3)
    np.testing.assert_array_equal(layer.W.data, expected)
    assert layer.W.dtype == expected.dtype  # float64 on NumPy 2, as in DeZero
    assert layer.b.dtype == np.float32


def test_dropout_mask_is_dezeros(book_mode):
    x = np.arange(1.0, 9.0)
    np.random.seed(5)
    y = xgrad.functions.dropout(x, dropout_ratio=0.3)
    np.random.seed(5)
    mask = np.random.rand(8) > 0.3
    np.testing.assert_array_equal(y.data, x * mask / np.array(0.7))


def test_loader_shuffles_when_made_and_spiral_reseeds_the_stream(book_mode):
    data = [(np.array([i]), i) for i in range(6)]
    np.random.seed(2)
    loader = xgrad.DataLoader(data, batch_size=6)
    np.random.seed(2)
    order = np.random.permutation(6)
    np.random.seed(7)  # drawn already: a later seed changes nothing
    x, _ = next(loader)
    np.testing.assert_array_equal(x[:, 0], order)
    xgrad.datasets.get_spiral()
    after = np.random.rand()
    np.random.seed(1984)
    np.random.randn(300)
    np.random.permutation(300)
    assert after == np.random.rand()


def test_lstm_makes_its_recurrent_weights_first_as_dezero_does(book_mode):
    np.random.seed(0)
    lstm = xgrad.layers.LSTM(3)
    np.random.seed(0)
    first = np.random.randn(3, 3).astype(np.float32) * np.sqrt(1 / 3)
    np.testing.assert_array_equal(lstm.h2f.W.data, first)
    assert lstm.x2f.W.data is None  # made at the first call, from its input size


def test_outside_book_mode_xgrad_random_is_untouched():
    xgrad.manual_seed(0)
    a = xgrad.layers.Linear(2, in_size=2).W.data
    np.random.seed(0)
    xgrad.manual_seed(0)
    b = xgrad.layers.Linear(2, in_size=2).W.data
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32


def test_a_checkpoint_resumes_numpys_global_stream(book_mode, tmp_path):
    from xgrad.serialization import load_checkpoint, save_checkpoint

    np.random.seed(4)
    model = xgrad.layers.Linear(2, in_size=2)
    save_checkpoint(tmp_path / "run.npz", model)
    expected = np.random.rand(3)
    np.random.seed(123)
    load_checkpoint(tmp_path / "run.npz", model)
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_install_on_a_device_moves_the_programs_numpy_arrays(backend, device_spec):
    if backend.name == "numpy":
        pytest.skip("numpy: nothing to move")
    xgrad.book.install(device=device_spec)
    try:
        from dezero import Variable, cuda

        x = Variable(np.ones((2, 3)))
        layer = xgrad.layers.Linear(4)
        y = layer(np.ones((2, 3))) + x[:, :1] * np.float64(2.0)
        assert x.device == y.device == layer.W.device == xgrad.device(device_spec)
        assert cuda.gpu_enable == (xgrad.device(device_spec).kind == "gpu")
    finally:
        xgrad.book.uninstall()
    assert Variable(np.ones(2)).device == xgrad.device("numpy")
    assert xgrad.get_default_device() == xgrad.device("numpy")
