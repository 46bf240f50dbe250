"""Hostile files: every loader refuses them clearly, changes nothing, runs nothing.

Weights files, checkpoints, MNIST's IDX files and CIFAR's archives are fed
empty, random, truncated and mislabelled files, headers declaring huge sizes,
pickles, and archive members with paths leading out of the cache. Each must
raise a ValueError (``CorruptFileError`` for datasets) naming the file and
what is wrong, within a small memory peak (tracemalloc sees NumPy's and
Python's allocations), leave the model, optimizer and random state as they
were, write nothing, and run no code from the file (a pickled ``Canary``
would create a marker file). A seeded fuzz loop mutates a valid weights file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import pathlib
import pickle
import socket
import struct
import tarfile
import tracemalloc
import urllib.request
import zipfile

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import datasets
from xgrad.cuda import as_numpy
from xgrad.datasets import files, mnist
from xgrad.optimizers import SGD, Adam
from xgrad.serialization import (
    load_checkpoint,
    load_weights,
    save_checkpoint,
    weights_dict,
)

MiB = 1 << 20
PEAK = 24 * MiB  # no hostile file may make a loader allocate more than this


@pytest.fixture(autouse=True)
def sandbox(monkeypatch, tmp_path):
    """No network, downloads off, a private cache, and a working directory two
    levels below ``tmp_path`` (so ``../../evil`` would land in ``tmp_path``)."""

    def no_network(*args, **kwargs):
        pytest.fail(f"a loader touched the network: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("XGRAD_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("XGRAD_DOWNLOAD", raising=False)
    work = tmp_path / "work" / "dir"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)


def tree(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def rejected(call, path, *words, error=ValueError):
    """``call()`` raises ``error`` naming ``path`` and ``words``, within PEAK bytes."""
    tracemalloc.start()
    try:
        with pytest.raises(error) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert peak < PEAK, f"peak {peak / MiB:.0f} MiB: {message}"
    return message


class Canary:
    """Unpickling this creates a file: proof that code from the file ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def test_a_canary_does_run_when_unpickled(tmp_path):
    pickle.loads(pickle.dumps(Canary(tmp_path / "proof")))
    assert (tmp_path / "proof").exists()


# -- building files byte by byte -----------------------------------------------------


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


def npy_header(text, data=b""):
    """A version 1.0 .npy member whose header is ``text``, verbatim."""
    raw = text.encode("latin1")
    raw += b" " * (-(10 + len(raw) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + data


def fake(shape, descr="<f4", data=b"\0" * 16):
    """A .npy member declaring ``shape`` and ``descr`` whatever its data holds."""
    text = repr({"descr": descr, "fortran_order": False, "shape": shape})
    return npy_header(text, data)


def zip_bytes(members, method=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def patch_entry(data, name, **fields):
    """Overwrite zip header fields of member ``name``, central and local alike."""
    central = {"flags": (8, "<H"), "method": (10, "<H"), "packed": (20, "<I")}
    central["size"] = (24, "<I")
    data, start = bytearray(data), 0
    while (at := data.find(b"PK\x01\x02", start)) >= 0:
        start = at + 4
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] != name.encode():
            continue
        (local,) = struct.unpack_from("<I", data, at + 42)
        for field, value in fields.items():
            offset, kind = central[field]
            struct.pack_into(kind, data, at + offset, value)
            struct.pack_into(kind, data, local + offset - 2, value)
    return bytes(data)


# -- the models and files under test -----------------------------------------------


class Net(L.Layer):
    """Two Linear layers (DeZero's l0/l1 keys) and a persistent array."""

    def __init__(self):
        super().__init__()
        self.l0 = L.Linear(4, in_size=3)
        self.l1 = L.Linear(2, in_size=4)
        self.register_persistent("stats")
        self.stats = np.arange(2, dtype=np.float32)

    def forward(self, x):
        return self.l1(F.tanh(self.l0(x)))


def net(seed=0):
    xgrad.manual_seed(seed)
    return Net()


def snapshot(model, optimizer=None):
    """Every array of the model (and the optimizer's state), as NumPy copies."""
    state = {}
    for key, entry in weights_dict(model).items():
        value = entry.data if hasattr(entry, "data") else getattr(*entry)
        state[key] = as_numpy(value).copy()
    for i, param in enumerate(model.params()):
        state.update({f"state/{i}/{k}": as_numpy(v) for k, v in param.state.items()})
    if optimizer is not None:
        state["t"] = np.array(optimizer.t)
    return state


def assert_same(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key].dtype == value.dtype, key
        np.testing.assert_array_equal(after[key], value, err_msg=key)


def rng_state():
    return json.dumps(xgrad.random.default_generator().get_state(), sort_keys=True)


def trained(tmp_path):
    """A checkpoint of a Net after one Adam step, and its members as bytes."""
    model = net(seed=1)
    optimizer = Adam().setup(model)
    x = np.ones((5, 3), dtype=np.float32)
    loss = F.sum(model(x) ** 2)
    loss.backward()
    optimizer.update()
    path = tmp_path / "good-checkpoint.npz"
    save_checkpoint(path, model, optimizer, epoch=1)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def weights_members():
    arrays = snapshot(net(seed=1))
    arrays["stats"] = np.ones(2, dtype=np.float32)
    return {f"{key}.npy": npy(value) for key, value in arrays.items()}


# -- weights files and checkpoints: damaged, oversized, pickled ------------------------


# Each case writes a hostile file from (members of a valid file, the member to
# damage, a canary path that code run from the file would create).


def _replace(data):
    return lambda members, target, canary: zip_bytes({**members, target: data})


def _whole(data):
    return lambda members, target, canary: data


def _valid(members, target=None, canary=None):
    return zip_bytes(members, zipfile.ZIP_DEFLATED)


def _truncated(end):
    return lambda members, target, canary: _valid(members)[:end]


def _gzipped(members, target, canary):
    return gzip.compress(_valid(members))


def _huge_shape(method):
    return lambda members, target, canary: zip_bytes(
        {**members, target: fake((2**31, 2))}, method
    )


def _huge_entry(method):
    """``target``'s zip entry declares 1 GiB; its .npy header agrees."""

    def write(members, target, canary):
        member = fake((2**28,))
        data = zip_bytes({**members, target: member}, method)
        return patch_entry(data, target, size=len(member) - 16 + 2**30)

    return write


def _entry_field(**fields):
    return lambda members, target, canary: patch_entry(
        _valid(members), target, **fields
    )


def _flipped_data(members, target, canary):
    data = bytearray(zip_bytes(members))
    at = data.find(members[target]) + len(members[target]) - 1  # its last byte
    data[at] ^= 0xFF
    return bytes(data)


def _object_array(members, target, canary):
    array = np.empty(2, dtype=object)
    array[:] = [Canary(canary), Canary(canary)]
    return _replace(npy(array))(members, target, canary)


def _plain_pickle(members, target, canary):
    return pickle.dumps({target: Canary(canary)})


def _code_in_header(members, target, canary):
    code = f"__import__('os').mkdir({str(canary)!r})"
    return _replace(npy_header(code))(members, target, canary)


FILE_CASES = {
    "empty": (_whole(b""), ["not a zip file"]),
    "random-bytes": (_whole(np.random.default_rng(0).bytes(3000)), []),
    "truncated-half": (_truncated(-300), []),
    "truncated-end": (_truncated(-1), []),
    "gzip-magic": (_gzipped, ["not a zip file"]),
    "npy-magic": (_whole(npy(np.ones(3))), ["not a zip file"]),
    "npy-magic-in-member": (
        _replace(b"\x93NUMPX" + bytes(90)),
        ["no readable .npy header"],
    ),
    "raw-bytes-member": (_replace(b"hello"), ["no readable .npy header"]),
    "huge-shape": (_huge_shape(zipfile.ZIP_STORED), ["(2147483648, 2)"]),
    "huge-shape-deflated": (_huge_shape(zipfile.ZIP_DEFLATED), ["(2147483648, 2)"]),
    "astronomic-shape": (_replace(fake((2**62, 2**62, 9))), []),
    "negative-shape": (_replace(fake((-1, 4))), ["(-1, 4)"]),
    "data-too-short": (_replace(fake((3, 4), data=bytes(47))), ["holds 47 bytes"]),
    "data-too-long": (_replace(fake((3, 4), data=bytes(49))), ["holds 49 bytes"]),
    "huge-entry-stored": (_huge_entry(zipfile.ZIP_STORED), ["more than its"]),
    "huge-entry-deflated": (_huge_entry(zipfile.ZIP_DEFLATED), ["more than its"]),
    "huge-packed-size": (_entry_field(packed=2**32 - 1), ["entries declare"]),
    "encrypted": (_entry_field(flags=1), ["encrypted"]),
    "bzip2-method": (_entry_field(method=12), ["compression method 12"]),
    "unknown-method": (_entry_field(method=99), ["compression method 99"]),
    "bad-crc": (_flipped_data, ["CRC"]),
    "object-array": (_object_array, ["Python objects", "pickle"]),
    "plain-pickle": (_plain_pickle, ["not a zip file"]),
    "code-in-header": (_code_in_header, ["no readable .npy header"]),
    "unhashable-header": (_replace(npy_header("{[]: 1}")), ["unhashable"]),
    "header-not-a-dict": (_replace(npy_header("[1, 2]")), ["not a dictionary"]),
    "header-huge": (_replace(npy_header(" " * 60000)), ["large"]),
    "text-dtype": (_replace(fake((3, 4), "<U1", bytes(48))), ["<U1"]),
    "bytes-dtype": (_replace(fake((3, 4), "|S4", bytes(48))), ["not a valid array"]),
    "structured-dtype": (_replace(fake((3, 4), [("a", "<f4")], bytes(48))), ["valid"]),
    "subarray-dtype": (_replace(fake((3,), ("<f4", (4,)), bytes(48))), ["valid"]),
}


@pytest.fixture(params=["load_weights", "load_checkpoint"])
def loader(request, tmp_path):
    """(load(path, model), members of a valid file, the member to replace)."""
    if request.param == "load_weights":
        return (
            (lambda path, model: load_weights(model, path)),
            weights_members(),
            "l0/W.npy",
        )
    members = trained(tmp_path)
    return (
        (lambda path, model: load_checkpoint(path, model)),
        members,
        "model/l0/W.npy",
    )


@pytest.mark.parametrize(("build", "words"), FILE_CASES.values(), ids=FILE_CASES)
def test_a_hostile_file_is_refused_and_changes_nothing(loader, build, words, tmp_path):
    load, members, target = loader
    canary = tmp_path / "canary"
    path = tmp_path / "hostile.npz"
    path.write_bytes(build(members, target, canary))
    model = net(seed=2)
    before, state, files_before = snapshot(model), rng_state(), tree(tmp_path)
    rejected(lambda: load(path, model), path, *words)
    assert not canary.exists()
    assert_same(before, snapshot(model))
    assert rng_state() == state
    assert tree(tmp_path) == files_before


def test_the_valid_files_load(loader, tmp_path):
    """The files the cases above damage do load: the refusals are the damage's."""
    load, members, target = loader
    path = tmp_path / "valid.npz"
    path.write_bytes(_valid(members))
    model = net(seed=2)
    load(path, model)
    expected = np.load(io.BytesIO(members[target]))
    np.testing.assert_array_equal(as_numpy(model.l0.W.data), expected)


# -- checkpoints whose metadata lies -------------------------------------------------


def _meta(change):
    def write(members):
        meta = json.loads(str(np.load(io.BytesIO(members["meta.npy"]))))
        text = change(meta)
        text = text if isinstance(text, str) else json.dumps(text)
        return {**members, "meta.npy": npy(np.array(text))}

    return write


def _without(key):
    return _meta(lambda meta: {k: v for k, v in meta.items() if k != key})


def _optimizer(**changes):
    return _meta(lambda meta: {**meta, "optimizer": {**meta["optimizer"], **changes}})


def _random(**changes):
    return _meta(lambda meta: {**meta, "random": {**meta["random"], **changes}})


def _shape_of_state(members):
    name = next(n for n in members if n.startswith("optimizer/0/"))
    return {**members, name: npy(np.zeros((7, 7), dtype=np.float32))}


META_CASES = {
    "no-meta": (lambda m: {k: v for k, v in m.items() if k != "meta.npy"}, "meta"),
    "meta-not-json": (_meta(lambda meta: "{'not': json"), "meta"),
    "meta-nested-deeply": (_meta(lambda meta: "[" * 100_000 + "]" * 100_000), "meta"),
    "meta-a-list": (_meta(lambda meta: [1, 2]), "meta"),
    "meta-2d": (lambda m: {**m, "meta.npy": npy(np.array([["{}"]]))}, "meta"),
    "meta-numbers": (lambda m: {**m, "meta.npy": npy(np.zeros(3))}, "meta"),
    "no-random-state": (_without("random"), "meta"),
    "no-extra": (_without("extra"), "meta"),
    "bogus-random-state": (
        _random(streams={"numpy": {"bit_generator": "Evil"}}),
        "random state",
    ),
    "random-seed-text": (_random(seed="rm -rf /"), "meta"),
    "random-unknown-device": (_random(streams={"nowhere:0": {}}), "random state"),
    "no-optimizer-state": (_without("optimizer"), "no optimizer state"),
    "huge-count": (_optimizer(count=10**12), "1000000000000 parameters"),
    "hyperparameters-a-list": (_optimizer(hyperparameters=["lr"]), "optimizer"),
    "step-as-text": (_optimizer(t="3"), "optimizer"),
    "another-optimizer": (_optimizer(optimizer="SGD"), "SGD"),
    "state-of-wrong-shape": (_shape_of_state, "(7, 7)"),
}


@pytest.mark.parametrize(("change", "words"), META_CASES.values(), ids=META_CASES)
def test_a_checkpoint_that_lies_changes_nothing(change, words, tmp_path):
    path = tmp_path / "hostile.npz"
    path.write_bytes(zip_bytes(change(trained(tmp_path))))
    model = net(seed=2)
    optimizer = Adam().setup(model)
    xgrad.random.uniform(size=3)  # a stream with a state to keep
    before, state = snapshot(model, optimizer), rng_state()
    rejected(lambda: load_checkpoint(path, model, optimizer), path, words)
    assert_same(before, snapshot(model, optimizer))
    assert rng_state() == state


def test_a_failed_optimizer_load_restores_persistent_arrays_too(tmp_path):
    trained(tmp_path)
    model = net(seed=2)
    model.stats = np.full(2, 7.0, dtype=np.float32)
    optimizer = SGD().setup(model)  # the checkpoint holds Adam's state
    before = snapshot(model, optimizer)
    path = tmp_path / "good-checkpoint.npz"
    rejected(lambda: load_checkpoint(path, model, optimizer), path, "Adam")
    assert_same(before, snapshot(model, optimizer))


# -- safetensors -------------------------------------------------------------------


def _safetensors_header(header, data=b""):
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


SAFETENSORS_CASES = {
    "random-bytes": np.random.default_rng(1).bytes(500),
    "header-length-huge": struct.pack("<Q", 2**62) + b"{}",
    "header-truncated": _safetensors_header({"l0/W": {}})[:-3],
    "huge-shape": _safetensors_header(
        {"l0/W": {"dtype": "F32", "shape": [2**31, 2**31], "data_offsets": [0, 16]}},
        b"\0" * 16,
    ),
    "offsets-past-the-end": _safetensors_header(
        {"l0/W": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 2**40]}},
        b"\0" * 48,
    ),
}


@pytest.mark.parametrize("data", SAFETENSORS_CASES.values(), ids=SAFETENSORS_CASES)
def test_a_hostile_safetensors_file_is_refused(data, tmp_path):
    pytest.importorskip("safetensors", reason="safetensors: not installed")
    path = tmp_path / "hostile.safetensors"
    path.write_bytes(data)
    model = net(seed=2)
    before = snapshot(model)
    rejected(lambda: load_weights(model, path), path, "cannot read")
    assert_same(before, snapshot(model))


# -- fuzzing load_weights -------------------------------------------------------------


def hot_spots(data):
    """Byte positions worth aiming at: zip headers and .npy headers."""
    spots = []
    for signature, length in [(b"PK\x03\x04", 30), (b"PK\x01\x02", 46)]:
        spots += [at + i for at in _find_all(data, signature) for i in range(length)]
    spots += [at + i for at in _find_all(data, b"\x93NUMPY") for i in range(128)]
    return [at for at in spots if at < len(data)]


def _find_all(data, needle):
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def mutate(data, rng, spots):
    """``data`` with one random damage, and a description of it.

    Half the damage lands on a header (``spots``), where sizes, flags, methods,
    shapes and dtypes live; the rest anywhere.
    """
    anywhere = int(rng.integers(len(data)))
    at = int(rng.choice(spots)) if rng.random() < 0.5 else anywhere
    data, kind = bytearray(data), int(rng.integers(6))
    if kind == 0:
        data[at] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        data[at] = int(rng.integers(256))
    elif kind == 2:  # a size or offset field, most likely: four bytes at once
        value = int(rng.choice([0, 1, 2**31, 2**32 - 1, rng.integers(2**32)]))
        data[at : at + 4] = value.to_bytes(4, "little")
    elif kind == 3:  # a digit of a shape, or another character of a header
        data[at] = ord(rng.choice(list("0123456789(),'<>|fiub")))
    elif kind == 4:
        data[at:at] = rng.bytes(int(rng.integers(1, 8)))
    else:
        del data[at : at + int(rng.integers(1, 8)) if rng.random() < 0.8 else None]
    return bytes(data), f"kind {kind} at byte {at}"


@pytest.mark.parametrize("compressed", [True, False], ids=["npz-deflated", "npz"])
def test_load_weights_survives_random_mutations(compressed, tmp_path):
    valid = zip_bytes(
        weights_members(), zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    )
    rng = np.random.default_rng(2024 + compressed)
    path = tmp_path / "mutant.npz"
    shapes = {k: (v.shape, v.dtype) for k, v in snapshot(net(seed=2)).items()}
    spots = hot_spots(valid)
    loaded = 0
    tracemalloc.start()
    try:
        for _ in range(100):
            data, how = mutate(valid, rng, spots)
            path.write_bytes(data)
            model = net(seed=2)
            before = snapshot(model)
            error = ""
            try:
                load_weights(model, path)
            except ValueError as e:
                error = str(e)
            except Exception as e:  # noqa: BLE001 (the point: no other kind)
                pytest.fail(f"{how}: {type(e).__name__}: {e}")
            if error:
                assert str(path) in error, how
                assert_same(before, snapshot(model))
            else:
                loaded += 1
                after = {k: (v.shape, v.dtype) for k, v in snapshot(model).items()}
                assert after == shapes, how
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK
    assert 0 < loaded < 100  # some damage is harmless (a time stamp, a value)


# -- MNIST's IDX files ----------------------------------------------------------------


def idx(shape, data=b"", kind=0x08):
    header = bytes([0, 0, kind, len(shape)]) + b"".join(
        n.to_bytes(4, "big") for n in shape
    )
    return header + data


IDX_CASES = {
    "empty": (b"", "not an IDX file"),
    "random-bytes": (np.random.default_rng(2).bytes(2000), "not an IDX file"),
    "zip-magic": (b"PK\x03\x04" + bytes(100), "not an IDX file"),
    "unknown-type": (idx((3,), b"abc", kind=0x0A), "not an IDX file"),
    "header-truncated": (idx((5, 28, 28))[:10], "the header needs 16 bytes"),
    "data-truncated": (idx((5, 28, 28), bytes(5 * 784 - 1)), "truncated"),
    "data-too-long": (idx((2,), bytes(3)), "too long"),
    "2**31-images": (idx((2**31, 28, 28), bytes(784)), "(2147483648, 28, 28)"),
    "255-dimensions": (idx((2**32 - 1,) * 255), "truncated"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize(("data", "words"), IDX_CASES.values(), ids=IDX_CASES)
def test_read_idx_refuses_hostile_files(data, words, compress, tmp_path):
    path = tmp_path / ("hostile-idx3-ubyte" + ".gz" * compress)
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    rejected(lambda: datasets.read_idx(path), path, words, error=files.CorruptFileError)


@pytest.mark.parametrize(
    "data",
    [
        b"\x1f\x8b" + np.random.default_rng(3).bytes(500),
        gzip.compress(idx((5,), bytes(5)))[:-9],
        gzip.compress(idx((5,), bytes(5)))[:-4] + bytes([99, 0, 0, 0]),  # length
    ],
    ids=["random-after-magic", "truncated", "bad-trailer"],
)
def test_read_idx_refuses_broken_gzip(data, tmp_path):
    path = tmp_path / "hostile-idx1-ubyte.gz"
    path.write_bytes(data)
    rejected(lambda: datasets.read_idx(path), path, "not a valid gzip file")


def test_read_idx_stops_reading_a_gzip_bomb(tmp_path):
    """A header promising 5 bytes, then 64 MiB: refused before they are in memory."""
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx((5,), bytes(5 + 64 * MiB)), 9, mtime=0))
    assert path.stat().st_size < MiB
    rejected(lambda: datasets.read_idx(path), path, "too long", "more than 13")


def official(path):
    """A Remote whose 'official' size and checksums are those of ``path``."""
    data = path.read_bytes()
    return files.Remote(
        path.name, len(data), hashlib.sha256(data).hexdigest(), urls=("https://x/",)
    )


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize(
    ("images", "words"),
    [
        (idx((2**31, 28, 28), bytes(784)), "(2147483648, 28, 28)"),
        (idx((1,), b"\x07"), "magic number 0x00000801, expected 0x00000803"),
        (np.random.default_rng(4).bytes(800), "not an IDX file"),
    ],
    ids=["huge-count", "labels-as-images", "random-bytes"],
)
def test_mnist_refuses_hostile_files_and_writes_nothing(
    images, words, compress, monkeypatch, tmp_path
):
    folder = tmp_path / "cache" / "mnist"
    folder.mkdir(parents=True)
    for stem, data in [
        ("train-images-idx3-ubyte", images),
        ("train-labels-idx1-ubyte", idx((1,), b"\x03", kind=0x08)),
    ]:
        path = folder / (stem + ".gz" * compress)
        path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
        gz, raw = mnist.FILES[stem]
        pair = (official(path), raw) if compress else (gz, official(path))
        monkeypatch.setitem(mnist.FILES, stem, pair)
    before = tree(tmp_path)
    path = folder / ("train-images-idx3-ubyte" + ".gz" * compress)
    rejected(datasets.MNIST, path, words, error=files.CorruptFileError)
    assert tree(tmp_path) == before


# -- CIFAR's archives -----------------------------------------------------------------


def tar_header(name, size, kind=tarfile.REGTYPE, linkname=""):
    """A tar header for ``name`` declaring ``size`` bytes (base-256 if need be)."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    blocks = info.tobuf(tarfile.GNU_FORMAT)  # long names come in blocks before it
    block = bytearray(blocks[-512:])
    block[124:136] = b"\x80" + size.to_bytes(11, "big")
    block[148:156] = b" " * 8
    block[148:155] = b"%06o\0" % sum(block)
    return blocks[:-512] + bytes(block)


def tar_gz(*blocks):
    return gzip.compress(b"".join(blocks) + bytes(1024), mtime=0)


def good_archive(cls):
    record = cls.label_bytes + 3072
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in cls.train_members + cls.test_members:
            info = tarfile.TarInfo(name)
            info.size = record
            tar.addfile(info, io.BytesIO(bytes(record)))
    return buffer.getvalue()


def link(cls, kind, target):
    return tar_gz(tar_header(cls.train_members[0], 0, kind, target))


def _pickles(cls, canary):
    payload = pickle.dumps({b"data": Canary(canary)})
    folder = "cifar-10-batches-py" if cls is datasets.CIFAR10 else "cifar-100-python"
    return tar_gz(
        tar_header(f"{folder}/data_batch_1", len(payload)), payload.ljust(512)
    )


ARCHIVE_CASES = {
    "empty": (lambda cls, tmp, canary: b"", "cannot read it"),
    "random-bytes": (lambda c, t, k: np.random.default_rng(5).bytes(3000), "gzip"),
    "gzip-of-random": (
        lambda c, t, k: gzip.compress(np.random.default_rng(6).bytes(3000)),
        "tar",
    ),
    "truncated": (lambda cls, t, k: good_archive(cls)[:-40], "cannot read it"),
    "plain-tar": (lambda cls, t, k: gzip.decompress(good_archive(cls)), "gzip"),
    "zip": (lambda cls, t, k: zip_bytes({"a.bin": b"x"}), "gzip"),
    "huge-member": (
        lambda cls, t, k: tar_gz(tar_header(cls.train_members[0], 2**40)),
        "holds 1099511627776 bytes",
    ),
    "huge-member-of-records": (
        lambda cls, t, k: tar_gz(
            tar_header(cls.train_members[0], (cls.label_bytes + 3072) * 2**28)
        ),
        "more than a",
    ),
    "huge-skipped-member": (
        lambda cls, t, k: tar_gz(tar_header("readme.html", 2**60)),
        "cannot read it",
    ),
    "astronomic-skipped-member": (
        lambda cls, t, k: tar_gz(tar_header("readme.html", 2**87)),
        "cannot read it",
    ),
    "huge-pax-header": (
        lambda cls, t, k: tar_gz(tar_header("pax", 2**40, tarfile.XHDTYPE)),
        "cannot read it",
    ),
    "huge-long-name": (
        lambda cls, t, k: tar_gz(
            tar_header("././@LongLink", 2**40, tarfile.GNUTYPE_LONGNAME)
        ),
        "cannot read it",
    ),
    "dot-dot-path": (
        lambda cls, t, k: tar_gz(tar_header("../../evil", 1), b"x".ljust(512)),
        "'../../evil' has an unsafe path",
    ),
    "absolute-path": (
        lambda cls, tmp, k: tar_gz(tar_header(str(tmp / "evil"), 1), b"x".ljust(512)),
        "unsafe path",
    ),
    "symlink-out": (
        lambda cls, t, k: link(cls, tarfile.SYMTYPE, "/etc/passwd"),
        "a link to '/etc/passwd'",
    ),
    "hardlink-out": (
        lambda cls, t, k: link(cls, tarfile.LNKTYPE, "../../../evil"),
        "unsafe path",
    ),
    "pickles": (lambda cls, t, canary: _pickles(cls, canary), "pickle"),
}


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
@pytest.mark.parametrize(("build", "words"), ARCHIVE_CASES.values(), ids=ARCHIVE_CASES)
def test_cifar_refuses_hostile_archives_and_writes_nothing(
    cls, build, words, monkeypatch, tmp_path
):
    folder = tmp_path / "cache" / cls.folder
    folder.mkdir(parents=True)
    canary = tmp_path / "canary"
    path = folder / cls.remote.name
    path.write_bytes(build(cls, tmp_path, canary))
    monkeypatch.setattr(cls, "remote", official(path))
    before = tree(tmp_path)
    rejected(cls, path, words, error=files.CorruptFileError)
    assert tree(tmp_path) == before
    assert not canary.exists()
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_reads_the_archive_the_cases_damage(cls, monkeypatch, tmp_path):
    folder = tmp_path / "cache" / cls.folder
    folder.mkdir(parents=True)
    path = folder / cls.remote.name
    path.write_bytes(good_archive(cls))
    monkeypatch.setattr(cls, "remote", official(path))
    assert len(cls(transform=None)) == len(cls.train_members)


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_refuses_the_python_version_without_unpickling(cls, tmp_path):
    folder = tmp_path / "cache" / cls.folder
    folder.mkdir(parents=True)
    canary = tmp_path / "canary"
    path = folder / cls.pickled[0]
    path.write_bytes(_pickles(cls, canary))
    rejected(cls, path, "pickle", cls.remote.name, error=files.CorruptFileError)
    assert not canary.exists()
