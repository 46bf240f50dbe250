"""Weights files: DeZero's .npz key format, devices, all-or-nothing loads, no pickle."""

from __future__ import annotations

import pathlib
import pickle
import struct

import numpy as np
import pytest

import xgrad
import xgrad.layers as L
from xgrad import Parameter
from xgrad.cuda import as_numpy
from xgrad.models import MLP


def float32(a):
    return np.asarray(a, dtype=np.float32)


class Net(L.Layer):
    """Two Linear layers named as MLP's, with their weights created."""

    def __init__(self, sizes=(4, 3), in_size=5):
        super().__init__()
        self.l0 = L.Linear(sizes[0], in_size=in_size)
        self.l1 = L.Linear(sizes[1], in_size=sizes[0])

    def forward(self, x):
        return self.l1(self.l0(x))


def net(sizes=(4, 3), seed=0):
    xgrad.manual_seed(seed)
    return Net(sizes)


def snapshot(model):
    return [(p.name, p.dtype, as_numpy(p).copy()) for p in model.params()]


def assert_same(model, before):
    after = snapshot(model)
    assert [(n, d) for n, d, _ in after] == [(n, d) for n, d, _ in before]
    for (_, _, a), (_, _, b) in zip(after, before, strict=True):
        np.testing.assert_array_equal(a, b)


class Inner(L.Layer):
    def __init__(self):
        super().__init__()
        self.b = L.Linear(2, in_size=3)


class Outer(L.Layer):
    def __init__(self):
        super().__init__()
        self.a = Inner()
        self.scale = Parameter(float32([1.5]), name="scale")


# -- the file format -----------------------------------------------------------------


def test_weights_are_saved_under_dezeros_keys(tmp_path):
    path = tmp_path / "mlp.npz"
    model = MLP((4, 3))
    model(float32(np.ones((1, 5))))
    model.save_weights(str(path))
    with np.load(path) as npz:
        assert sorted(npz.files) == ["l0/W", "l0/b", "l1/W", "l1/b"]
        assert npz["l0/W"].shape == (5, 4)
        assert npz["l1/b"].dtype == np.float32


def test_nested_layers_give_slash_separated_keys(tmp_path):
    path = tmp_path / "outer.npz"
    Outer().save_weights(str(path))
    with np.load(path) as npz:
        assert sorted(npz.files) == ["a/b/W", "a/b/b", "scale"]


def test_save_then_load_restores_every_parameter(tmp_path):
    path = tmp_path / "mlp.npz"
    source = net(seed=1)
    source.save_weights(str(path))
    target = net(seed=2)
    target.load_weights(str(path))
    for want, got in zip(source.params(), target.params(), strict=True):
        np.testing.assert_array_equal(as_numpy(got), as_numpy(want))


def test_a_file_written_by_dezero_loads(tmp_path, rng):
    # DeZero's save_weights is np.savez of {"l0/W": array, ...}
    arrays = {
        "l0/W": float32(rng.standard_normal((5, 4))),
        "l0/b": float32(rng.standard_normal(4)),
        "l1/W": float32(rng.standard_normal((4, 3))),
        "l1/b": float32(rng.standard_normal(3)),
    }
    path = tmp_path / "dezero.npz"
    np.savez(path, **arrays)
    model = net()
    model.load_weights(str(path))
    for key, layer in [("l0", model.l0), ("l1", model.l1)]:
        np.testing.assert_array_equal(as_numpy(layer.W), arrays[f"{key}/W"])
        np.testing.assert_array_equal(as_numpy(layer.b), arrays[f"{key}/b"])


def test_persistent_arrays_are_saved_and_loaded(tmp_path):
    class Counting(L.Layer):
        def __init__(self, start):
            super().__init__()
            self.l0 = L.Linear(2, in_size=2)
            self.seen = np.full(3, start, dtype=np.float32)
            self.register_persistent("seen")

    path = tmp_path / "counting.npz"
    Counting(7.0).save_weights(str(path))
    with np.load(path) as npz:
        assert sorted(npz.files) == ["l0/W", "l0/b", "seen"]
    model = Counting(0.0)
    model.load_weights(str(path))
    np.testing.assert_array_equal(model.seen, [7.0, 7.0, 7.0])


def test_a_model_whose_weights_are_not_created_yet_round_trips(tmp_path):
    path = tmp_path / "lazy.npz"
    MLP((4, 3)).save_weights(str(path))  # the W are created at the first call
    model = MLP((4, 3))
    model.load_weights(str(path))
    assert model.l0.W.data is None
    assert model(float32(np.ones((2, 5)))).shape == (2, 3)


# -- file names: the .npz suffix rule ------------------------------------------------


@pytest.mark.parametrize("name", ["weights", "weights.bin"])
def test_saving_and_loading_a_path_without_npz_meet_at_path_npz(name, tmp_path):
    source, target = net(seed=1), net(seed=2)
    source.save_weights(tmp_path / name)  # as np.savez: ".npz" is added
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.npz"]
    target.load_weights(tmp_path / name)  # finds the same file
    assert_same(target, snapshot(source))
    net(seed=3).load_weights(tmp_path / f"{name}.npz")  # its full name too


def test_a_file_named_exactly_loads_when_no_npz_file_is_there(tmp_path):
    source = net(seed=1)
    source.save_weights(tmp_path / "w")
    (tmp_path / "w.npz").rename(tmp_path / "w")  # renamed by hand
    target = net(seed=2)
    target.load_weights(tmp_path / "w")
    assert_same(target, snapshot(source))


def test_a_missing_file_raises_file_not_found_naming_the_paths_and_the_rule(tmp_path):
    model = net()
    before = snapshot(model)
    with pytest.raises(FileNotFoundError) as info:
        model.load_weights(tmp_path / "nothing")
    message = str(info.value)
    assert repr(str(tmp_path / "nothing.npz")) in message
    assert repr(str(tmp_path / "nothing")) in message
    assert "gets '.npz' added" in message
    assert message.startswith("[Errno 2] load_weights: no file")
    assert info.value.filename == str(tmp_path / "nothing.npz")
    assert_same(model, before)


def test_a_missing_npz_file_names_only_that_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file '.*gone\.npz'; a path"):
        net().load_weights(str(tmp_path / "gone.npz"))


# -- devices -----------------------------------------------------------------------


def test_saving_leaves_the_model_on_its_device(backend, device_spec, tmp_path):
    # DeZero's save_weights calls to_cpu() and leaves a GPU model on the CPU
    model = net().to_device(device_spec)
    expected = snapshot(model)
    model.save_weights(str(tmp_path / "w.npz"))
    for p in model.params():
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
    assert_same(model, expected)
    with np.load(tmp_path / "w.npz") as npz:
        np.testing.assert_array_equal(npz["l0/W"], as_numpy(model.l0.W))


def test_loading_puts_arrays_on_the_models_backend_device_and_dtype(
    backend, device_spec, tmp_path, rng
):
    arrays = {  # float64 NumPy arrays, as a NumPy user might write them
        "l0/W": rng.standard_normal((5, 4)),
        "l0/b": rng.standard_normal(4),
        "l1/W": rng.standard_normal((4, 3)),
        "l1/b": rng.standard_normal(3),
    }
    np.savez(tmp_path / "w.npz", **arrays)
    model = net().to_device(device_spec)
    dtype = model.l0.W.dtype
    model.load_weights(str(tmp_path / "w.npz"))
    for key, p in [("l0/W", model.l0.W), ("l0/b", model.l0.b), ("l1/W", model.l1.W)]:
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
        assert p.dtype == dtype
        np.testing.assert_allclose(as_numpy(p), arrays[key], rtol=1e-6)


def test_loading_into_a_model_moved_before_its_first_call_uses_that_device(
    backend, device_spec, tmp_path, rng
):
    trained = L.BatchNorm()
    trained(float32(rng.standard_normal((4, 3))))
    trained.save_weights(str(tmp_path / "bn.npz"))
    model = L.BatchNorm().to_device(device_spec)  # nothing created yet
    model.load_weights(str(tmp_path / "bn.npz"))
    for p in model.params():
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
    y = model(xgrad.asarray(float32(rng.standard_normal((4, 3))), device=device_spec))
    assert str(y.device) == str(xgrad.device(device_spec))


# -- failed loads change nothing ---------------------------------------------------


def _garbage(path, model):
    path.write_bytes(b"this is not an npz file" * 10)


def _truncated(path, model):
    model.save_weights(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_compressed_data(path, model):
    model.save_weights(str(path))
    data = bytearray(path.read_bytes())
    # the first member's local header: 30 bytes, then its name and extra field
    name_length, extra_length = struct.unpack("<HH", data[26:30])
    start = 30 + name_length + extra_length
    for i in range(start, start + 16):  # the deflate stream's first bytes
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _arrays(model):
    """The arrays of a Net under DeZero's keys, as NumPy."""
    layers = {"l0": model.l0, "l1": model.l1}
    return {
        f"{name}/{p}": as_numpy(getattr(layer, p))
        for name, layer in layers.items()
        for p in ("W", "b")
    }


def _missing_key(path, model):
    arrays = _arrays(model)
    del arrays["l1/b"]  # l0 alone would load: the load must not start
    np.savez(path, **arrays)


def _extra_key(path, model):
    np.savez(path, **_arrays(model), **{"l2/W": np.ones((3, 1), dtype=np.float32)})


def _wrong_shape(path, model):
    net(sizes=(4, 2), seed=5).save_weights(str(path))  # l0 fits, l1 does not


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (_garbage, "cannot read .* corrupt or truncated"),
        (_truncated, "cannot read .* corrupt or truncated"),
        (_damaged_compressed_data, "cannot read .* corrupt or truncated"),
        (_missing_key, r"missing keys \['l1/b'\], unexpected keys \[\]"),
        (_extra_key, r"missing keys \[\], unexpected keys \['l2/W'\]"),
        (_wrong_shape, r"'l1/W' has shape \(4, 2\) in the file but \(4, 3\)"),
    ],
    ids=["garbage", "truncated", "damaged", "missing-key", "extra-key", "wrong-shape"],
)
def test_a_bad_file_raises_value_error_and_changes_nothing(write, message, tmp_path):
    path = tmp_path / "bad.npz"
    write(path, net(seed=5))
    model = net(seed=0)
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        model.load_weights(str(path))
    assert_same(model, before)


class Canary:
    """Unpickling this touches a file: proof that code from the file ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def _object_array_npz(path, canary):
    arrays = _arrays(net())
    arrays["l0/W"] = np.array([Canary(canary)], dtype=object)
    np.savez(path, **arrays)


def _plain_pickle(path, canary):
    path.write_bytes(pickle.dumps({"l0/W": Canary(canary)}))


@pytest.mark.parametrize(
    "write", [_object_array_npz, _plain_pickle], ids=["object-array", "pickle"]
)
def test_loading_never_unpickles(write, tmp_path):
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Canary(proof)))
    assert proof.exists()  # unpickling a Canary does run code
    path, canary = tmp_path / "evil.npz", tmp_path / "canary"
    write(path, canary)
    model = net()
    before = snapshot(model)
    with pytest.raises(ValueError, match="cannot read"):
        model.load_weights(str(path))
    assert not canary.exists()
    assert_same(model, before)
