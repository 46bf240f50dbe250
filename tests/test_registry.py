"""The registry is the one list of backends: files, fixtures and nox sessions follow it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import xgrad
from xgrad import backends
from xgrad.backends._declared import METADATA, declared

ROOT = Path(__file__).resolve().parents[1]


def test_every_backend_has_a_requirements_file_and_back():
    files = {p.stem for p in (ROOT / "backends").glob("*.txt")} - {"common"}
    assert files == set(backends.names())


def test_every_backend_has_its_own_module():
    modules = {p.stem for p in (ROOT / "xgrad" / "backends").glob("[!_]*.py")}
    assert modules == set(backends.names())


def test_a_module_in_the_package_is_a_backend_without_being_listed(tmp_path):
    (tmp_path / "found_test_lib.py").write_text(
        "from xgrad.backends import Backend, register\n\n\n"
        "@register\n"
        "class Found(Backend):\n"
        "    name = 'found_test_lib'\n"
        "    test_args = ('-k', 'found')\n\n"
        "    def owns(self, x):\n"
        "        return False\n"
    )
    backends.__path__.append(str(tmp_path))
    try:
        backends._import_backend_modules()
        assert "found_test_lib" in backends.names()
        assert declared("found_test_lib", tmp_path) == {
            **declared("numpy"),  # the defaults
            "test_args": ("-k", "found"),
        }
    finally:
        backends.__path__.remove(str(tmp_path))
        del sys.modules["xgrad.backends.found_test_lib"]
        del backends._REGISTRY["found_test_lib"]
        backends.BY_TYPE.clear()


@pytest.mark.parametrize("name", backends.names())
def test_noxfile_reads_what_each_backend_class_declares(name):
    """noxfile.py reads the metadata from the source, without importing it."""
    backend = backends.get(name)
    assert declared(name) == {key: getattr(backend, key) for key in METADATA}


@pytest.mark.parametrize(
    ("name", "gpu_only", "test_device", "test_args"),
    [
        ("numpy", False, None, ()),
        ("array_api_strict", False, "device1", ()),
        ("torch", False, None, ()),
        ("dask", False, None, ("--ignore=tests/fuzz",)),  # fuzzing: minutes per op
        ("cupy", True, None, ()),  # its session runs by hand, on a GPU host
    ],
)
def test_the_built_in_backends_declare_their_test_metadata(
    name, gpu_only, test_device, test_args
):
    backend = backends.get(name)
    assert backend.gpu_only is gpu_only
    assert backend.test_device == test_device
    assert backend.test_args == test_args
    assert backend.gpu or not gpu_only


def test_the_device_fixture_is_the_test_device_its_backend_declares(
    backend, device, request
):
    if request.config.getoption("--device"):
        pytest.skip("--device replaces the declared test devices")
    if backend.test_device is None:
        assert device is None  # the library's default device
    else:
        assert device == backend.native_device(backend.test_device)
        assert device != backend.native_device(None)
        x = backend.from_numpy(np.arange(3.0), device)
        assert backend.device_of(x) == device


def test_a_metadata_value_that_is_not_a_literal_is_refused(tmp_path):
    (tmp_path / "computed.py").write_text(
        "@register\nclass Computed(Backend):\n    gpu_only = detect()\n"
    )
    with pytest.raises(ValueError, match=r"computed\.py:3: gpu_only must be a literal"):
        declared("computed", tmp_path)


def test_a_library_that_array_api_compat_knows_needs_no_owns():
    torch = pytest.importorskip("torch")
    assert "owns" not in vars(type(backends.get("torch")))
    assert backends.get("torch").owns(torch.ones(2))
    assert not backends.get("torch").owns(np.ones(2))


def test_registering_an_unknown_library_without_owns_says_what_to_implement():
    class Nameless(backends.Backend):
        name = "nameless_test_lib"

    with pytest.raises(TypeError, match=r"Nameless must implement owns\(x\)"):
        backends.register(Nameless)
    assert "nameless_test_lib" not in backends.names()


def test_numpy_is_always_available():
    assert "numpy" in backends.available()
    assert backends.of(np.ones(2)) is backends.get("numpy")


def test_every_backend_can_wait_for_its_arrays(backend, to_backend):
    x = to_backend(np.arange(3.0)) * 2
    assert backend.synchronize(x) is None
    np.testing.assert_array_equal(backend.to_numpy(x), [0.0, 2.0, 4.0])


def test_one_hot_labels_on_every_backend(backend, to_backend):
    labels = to_backend(np.array([2, 0, 1, 2]))
    onehot = backend.one_hot(labels, 3, backend.xp.float32)
    assert onehot.dtype == backend.xp.float32
    assert backend.owns(onehot)
    np.testing.assert_array_equal(backend.to_numpy(onehot), np.eye(3)[[2, 0, 1, 2]])
    empty = backend.one_hot(to_backend(np.zeros(0, dtype=np.int64)), 3, onehot.dtype)
    assert tuple(empty.shape) == (0, 3)


def test_range_checks_on_every_backend(backend, to_backend):
    def error(lo, hi):
        return ValueError(f"values from {lo:g} to {hi:g}")

    x = to_backend(np.array([0, 2, 1]))
    assert backend.to_numpy(backend.assert_in_range(x, 0, 3, error)).tolist() == [
        0,
        2,
        1,
    ]
    for low, high, include in ((0, 2, False), (1, 3, False), (0, 1, True)):
        with pytest.raises(ValueError, match="values from 0 to 2"):
            backend.compute([backend.assert_in_range(x, low, high, error, include)])
    checked = backend.assert_in_range(x, 0, 2, error, include_high=True)
    assert backend.to_numpy(checked).tolist() == [0, 2, 1]
    with_nan = to_backend(np.array([np.nan, 5.0]))  # the NaN hides nothing
    with pytest.raises(ValueError, match="to 5"):
        backend.compute([backend.assert_in_range(with_nan, 0, 1, error, True)])


def test_numpys_direct_functions_keep_the_standards_behaviour():
    xp = backends.get("numpy").xp
    x = np.arange(6.0).reshape(2, 3)
    assert xp.matrix_transpose(x).shape == (3, 2)
    with pytest.raises(ValueError, match="2"):
        xp.matrix_transpose(np.arange(3.0))  # the standard: at least 2-D
    np.testing.assert_array_equal(xp.matmul(x, xp.matrix_transpose(x)), x @ x.T)
    assert xp.ones_like(x, dtype=np.float32, device="cpu").dtype == np.float32
    compat = pytest.importorskip("array_api_compat.numpy")
    assert xp.concat is compat.concat  # everything else is array-api-compat's


def test_lookup_is_cached_by_type():
    backends.of(np.ones(2))
    assert backends.BY_TYPE[np.ndarray] is backends.get("numpy")


def test_unknown_backend_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="registered"):
        backends.get("tensorflow")


def test_non_array_is_rejected_with_the_fix():
    with pytest.raises(TypeError, match=r"xgrad\.asarray"):
        backends.of([1.0, 2.0])


def test_a_user_can_register_a_backend_without_touching_xgrad():
    class Tagged(np.ndarray):
        """An ndarray subclass standing in for a new library's array type."""

    @backends.register
    class TaggedBackend(backends.Backend):
        name = "tagged_test_backend"
        multi_device = False

        def owns(self, x):
            return isinstance(x, Tagged)

        @property
        def xp(self):
            return backends.get("numpy").xp

        def device_of(self, x):
            return "cpu"

        def fix(self, y):
            return np.asarray(y).view(Tagged)

    try:
        x = xgrad.Variable(np.arange(3.0).view(Tagged))
        y = (x * x).sum()
        y.backward()
        assert x.backend.name == "tagged_test_backend"
        assert type(y.data) is Tagged
        np.testing.assert_allclose(x.grad.data, [0.0, 2.0, 4.0])
    finally:
        del backends._REGISTRY["tagged_test_backend"]
        backends.BY_TYPE.clear()
