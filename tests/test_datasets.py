"""Datasets: the book's values, real file formats written here, and no network.

MNIST and CIFAR files are tiny stand-ins in the official formats, written
into ``tmp_path``; their checksums replace the official ones for the test, so
the same verification code runs. Every test runs with the network blocked.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import socket
import sys
import tarfile
import types
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pytest

import xgrad
from xgrad import datasets
from xgrad.datasets import cifar, files, mnist
from xgrad.transforms import Compose, Flatten, ToFloat


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No network, downloads off, and a private cache directory."""

    def no_network(*args, **kwargs):
        pytest.fail(f"a dataset touched the network: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("XGRAD_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("XGRAD_DOWNLOAD", raising=False)
    return tmp_path / "cache"


def official(path: Path, name: str | None = None) -> files.Remote:
    """A Remote whose 'official' size and checksums are those of ``path``."""
    data = path.read_bytes()
    return files.Remote(
        name or path.name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),
        urls=(f"https://mirror.invalid/{path.name}",),
    )


# -- Dataset, Spiral, SinCurve -------------------------------------------------
def global_numpy_state():
    """The state of NumPy's global generator, which DeZero's datasets reseed."""
    return np.random.get_state()  # noqa: NPY002


def same_state(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def dezero_get_spiral(monkeypatch, train):
    """DeZero 0.0.13's own get_spiral, global NumPy state saved and restored."""
    monkeypatch.setattr(np, "int", int, raising=False)  # removed in NumPy 1.24
    for name in ("matplotlib", "matplotlib.pyplot", "PIL", "PIL.Image"):
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                stub = types.ModuleType(name)
                stub.BILINEAR = 2
                stub.Image = stub
                monkeypatch.setitem(sys.modules, name, stub)
    with warnings.catch_warnings():  # its source has an `is 'fine'` SyntaxWarning
        warnings.simplefilter("ignore")
        dezero_datasets = pytest.importorskip("dezero.datasets")
    state = global_numpy_state()
    try:
        return dezero_datasets.get_spiral(train)
    finally:
        np.random.set_state(state)  # noqa: NPY002


@pytest.mark.parametrize("train", [True, False])
def test_get_spiral_is_dezeros_and_leaves_numpy_random_alone(monkeypatch, train):
    expected_x, expected_t = dezero_get_spiral(monkeypatch, train)
    state = global_numpy_state()
    x, t = datasets.get_spiral(train)
    after = global_numpy_state()
    assert same_state(state, after)
    np.testing.assert_array_equal(x, expected_x)
    np.testing.assert_array_equal(t, expected_t)
    assert x.dtype == np.float32
    assert x.shape == (300, 2)
    assert t.dtype == np.int64
    assert sorted(np.bincount(t)) == [100, 100, 100]


def test_spiral_dataset_items_and_transforms():
    ds = datasets.Spiral(transform=lambda x: x * 2, target_transform=lambda t: t + 10)
    x, t = datasets.get_spiral()
    assert len(ds) == 300
    got_x, got_t = ds[5]
    np.testing.assert_array_equal(got_x, x[5] * 2)
    assert got_t == t[5] + 10
    assert not np.array_equal(datasets.Spiral(train=False).data, ds.data)


def test_dataset_unlabeled_and_index_checks():
    class Unlabeled(datasets.Dataset):
        def prepare(self):
            self.data = np.arange(4.0)

    ds = Unlabeled()
    assert len(ds) == 4
    assert ds.train
    assert ds[np.int64(2)] == (2.0, None)
    assert ds[-1] == (3.0, None)
    with pytest.raises(TypeError, match="one integer"):
        ds[1:3]
    assert datasets.Dataset().data is None  # prepare() holds nothing by default


def test_sincurve_values_follow_xgrad_random_not_numpy(monkeypatch):
    monkeypatch.setattr(xgrad.random.generator, "_default", xgrad.random.Generator(0))
    state = global_numpy_state()
    train = datasets.SinCurve()
    after = global_numpy_state()
    assert same_state(state, after)
    x = np.linspace(0, 2 * np.pi, 1000)
    assert len(train) == 999
    assert train.data.shape == (999, 1)
    assert train.data.dtype == np.float64
    np.testing.assert_array_equal(train.data[1:], train.label[:-1])
    assert np.all(np.abs(train.data[:, 0] - np.sin(x[:-1])) <= 0.05)
    xgrad.manual_seed(0)
    np.testing.assert_array_equal(datasets.SinCurve().data, train.data)
    test = datasets.SinCurve(train=False)
    np.testing.assert_array_equal(test.label[:, 0], np.cos(x[1:]))


# -- Digits (bundled) ----------------------------------------------------------
def test_digits_are_the_bundled_uci_data():
    train, test = datasets.Digits(transform=None), datasets.Digits(train=False)
    assert train.data.shape == (1500, 1, 8, 8)
    assert train.data.dtype == np.uint8
    assert test.data.shape == (297, 1, 8, 8)
    assert len(test) == 297
    assert train.label.dtype == np.int64
    labels = np.concatenate([train.label, test.label])
    assert np.bincount(labels).tolist() == [
        178,
        182,
        177,
        183,
        181,
        182,
        181,
        179,
        174,
        180,
    ]
    assert train.label[:10].tolist() == list(range(10))
    assert int(train.data.sum()) == 468645
    assert int(test.data.sum()) == 561718 - 468645
    assert train.data.max() == 16
    x, t = test[0]
    assert x.shape == (64,)
    assert x.dtype == np.float32
    assert 0 <= x.min() <= x.max() <= 1
    assert t == test.label[0]
    assert datasets.Digits.labels()[3] == "3"


# -- MNIST ---------------------------------------------------------------------
def idx(array: np.ndarray) -> bytes:
    """``array`` (uint8) in the IDX format."""
    ndim = array.ndim
    header = bytes([0, 0, 0x08, ndim]) + b"".join(
        n.to_bytes(4, "big") for n in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder, monkeypatch, split="train", n=5, compress=True, seed=0):
    """Tiny MNIST files of ``split`` in ``folder``, registered as official."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        stem = f"{split}-{kind}-ubyte"
        path = folder / (f"{stem}.gz" if compress else stem)
        data = idx(array)
        path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
        gz, raw = mnist.FILES[stem]
        pair = (official(path, gz.name), raw) if compress else (gz, official(path))
        monkeypatch.setitem(mnist.FILES, stem, pair)
    return images, labels


@pytest.mark.parametrize("compress", [True, False], ids=["gz", "raw"])
def test_mnist_reads_idx_files(offline, monkeypatch, compress):
    images, labels = write_mnist(offline / "mnist", monkeypatch, compress=compress)
    ds = datasets.MNIST(transform=None)
    assert ds.data.shape == (5, 1, 28, 28)
    assert ds.data.dtype == np.uint8
    np.testing.assert_array_equal(ds.data[:, 0], images)
    assert ds.label.dtype == np.int64
    assert ds.label.tolist() == labels.tolist()
    x, t = datasets.MNIST()[2]  # the book's default transform
    assert x.shape == (784,)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, images[2].ravel() / 255.0, rtol=1e-6)
    assert t == labels[2]
    assert datasets.MNIST.labels() == {i: str(i) for i in range(10)}


def test_mnist_test_split_and_transforms(offline, monkeypatch):
    images, labels = write_mnist(offline / "mnist", monkeypatch, "t10k", n=3)
    ds = datasets.MNIST(
        train=False,
        transform=Compose([Flatten(), ToFloat()]),
        target_transform=lambda t: t * 100,
    )
    assert len(ds) == 3
    x, t = ds[1]
    np.testing.assert_array_equal(x, images[1].ravel().astype(np.float32))
    assert t == int(labels[1]) * 100


def test_mnist_missing_files_say_what_to_put_where(offline):
    with pytest.raises(FileNotFoundError) as info:
        datasets.MNIST()
    message = str(info.value)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        assert str(offline / "mnist" / name) in message
        assert f"https://ossci-datasets.s3.amazonaws.com/mnist/{name}" in message
    assert "XGRAD_DOWNLOAD=1" in message
    assert "XGRAD_DATA" in message
    assert "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" in message


def test_mnist_checksum_mismatch(offline, monkeypatch):
    write_mnist(offline / "mnist", monkeypatch)
    path = offline / "mnist" / "train-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-9] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(data))
    with pytest.raises(
        datasets.ChecksumError, match="sha256 checksum mismatch"
    ) as info:
        datasets.MNIST()
    assert str(path) in str(info.value)
    assert hashlib.sha256(data).hexdigest() in str(info.value)


def test_mnist_wrong_size_names_expected_and_found(offline, monkeypatch):
    write_mnist(offline / "mnist", monkeypatch)
    path = offline / "mnist" / "train-images-idx3-ubyte.gz"
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(datasets.CorruptFileError, match="truncated") as info:
        datasets.MNIST()
    assert f"expected {size} bytes, found {size - 10}" in str(info.value)


def register_raw(monkeypatch, path, stem):
    gz, _ = mnist.FILES[stem]
    monkeypatch.setitem(mnist.FILES, stem, (gz, official(path)))


def test_mnist_truncated_idx_names_file_and_sizes(offline, monkeypatch):
    write_mnist(offline / "mnist", monkeypatch, compress=False)
    path = offline / "mnist" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    register_raw(monkeypatch, path, "train-images-idx3-ubyte")  # checksum passes
    with pytest.raises(datasets.CorruptFileError) as info:
        datasets.MNIST()
    expected = 16 + 5 * 28 * 28
    assert f"{path}: truncated" in str(info.value)
    assert f"is {expected} bytes (uncompressed), found {expected - 100}" in str(
        info.value
    )


def test_mnist_magic_number_is_checked(offline, monkeypatch):
    folder = offline / "mnist"
    write_mnist(folder, monkeypatch, compress=False)
    images = folder / "train-images-idx3-ubyte"
    images.write_bytes((folder / "train-labels-idx1-ubyte").read_bytes())
    register_raw(monkeypatch, images, "train-images-idx3-ubyte")
    with pytest.raises(datasets.CorruptFileError) as info:
        datasets.MNIST()
    assert f"{images}: magic number 0x00000801, expected 0x00000803" in str(info.value)


@pytest.mark.parametrize(
    ("labels", "message"),
    [([0, 1, 2, 3], "5 images but .* 4 labels"), ([1, 2, 3, 4, 12], "label 12 found")],
)
def test_mnist_labels_must_fit_the_images(offline, monkeypatch, labels, message):
    write_mnist(offline / "mnist", monkeypatch, compress=False)
    path = offline / "mnist" / "train-labels-idx1-ubyte"
    path.write_bytes(idx(np.array(labels, dtype=np.uint8)))
    register_raw(monkeypatch, path, "train-labels-idx1-ubyte")
    with pytest.raises(datasets.CorruptFileError, match=message):
        datasets.MNIST()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00\x08", "not an IDX file"),
        (b"PK\x03\x04rest", "not an IDX file"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 1]), "truncated: the header needs 16 bytes"),
        (
            bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9, 9]),
            "too long: .* is 10 bytes .* found 11",
        ),
        (gzip.compress(b"\x00\x00\x08\x01" * 50)[:-12], "not a valid gzip file"),
    ],
    ids=["short", "magic", "header", "long", "gzip"],
)
def test_read_idx_rejects_corrupt_files(tmp_path, data, message):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(datasets.CorruptFileError, match=message):
        datasets.read_idx(path)


def test_read_idx_other_types_and_gzip(tmp_path):
    array = np.arange(-3, 3, dtype=">i4").reshape(2, 3)
    data = bytes([0, 0, 0x0C, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + array.tobytes()
    path = tmp_path / "ints.gz"
    path.write_bytes(gzip.compress(data))
    got = datasets.read_idx(path)
    assert got.dtype == np.int32
    assert got.dtype.isnative
    assert got.flags.writeable
    np.testing.assert_array_equal(got, array)


def test_mnist_show_needs_matplotlib(offline, monkeypatch):
    write_mnist(offline / "mnist", monkeypatch)
    ds = datasets.MNIST()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        ds.show()
    calls = []
    plt = types.ModuleType("matplotlib.pyplot")
    plt.imshow = lambda img, **kw: calls.append((img, kw))
    plt.axis = plt.show = lambda *a, **kw: None
    package = types.ModuleType("matplotlib")
    package.pyplot = plt
    monkeypatch.setitem(sys.modules, "matplotlib", package)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", plt)
    ds.show(row=2, col=3)
    ((img, kw),) = calls
    assert img.shape == (56, 84)
    assert kw["cmap"] == "gray"
    assert {tuple(map(tuple, img[:28, :28]))} <= {
        tuple(map(tuple, ds.data[i, 0])) for i in range(5)
    }


# -- downloads (with a fake urlopen) -----------------------------------------------
class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def serve(monkeypatch, responses):
    """Make urlopen answer from ``responses`` (url -> bytes or an exception)."""
    asked = []

    def urlopen(url, timeout=None):
        asked.append(url)
        answer = responses.get(url, urllib.error.URLError("no route to host"))
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return asked


def staged_mnist(tmp_path, monkeypatch, mirrors):
    """Tiny MNIST files outside the cache, registered with ``mirrors`` as URLs."""
    images, labels = write_mnist(tmp_path / "staging", monkeypatch)
    blobs = {}
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        gz, raw = mnist.FILES[stem]
        urls = tuple(m + gz.name for m in mirrors)
        monkeypatch.setitem(
            mnist.FILES, stem, (dataclasses.replace(gz, urls=urls), raw)
        )
        blobs[gz.name] = (tmp_path / "staging" / gz.name).read_bytes()
    return images, labels, blobs


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_download_tries_mirrors_and_verifies(offline, tmp_path, monkeypatch, how):
    mirrors = ("https://down.invalid/", "https://up.invalid/")
    images, _, blobs = staged_mnist(tmp_path, monkeypatch, mirrors)
    asked = serve(monkeypatch, {mirrors[1] + n: b for n, b in blobs.items()})
    if how == "environment":
        monkeypatch.setenv("XGRAD_DOWNLOAD", "1")
    ds = datasets.MNIST(transform=None, download=True if how == "argument" else None)
    np.testing.assert_array_equal(ds.data[:, 0], images)
    assert asked == [m + n for n in blobs for m in mirrors]
    assert sorted(p.name for p in (offline / "mnist").iterdir()) == sorted(blobs)
    asked.clear()
    datasets.MNIST()  # now cached: no more requests
    assert asked == []


def test_download_failures_are_reported_and_leave_nothing(
    offline, tmp_path, monkeypatch
):
    mirrors = ("https://down.invalid/", "https://bad.invalid/")
    _, _, blobs = staged_mnist(tmp_path, monkeypatch, mirrors)
    serve(monkeypatch, {mirrors[1] + n: b[:-1] + b"!" for n, b in blobs.items()})
    with pytest.raises(FileNotFoundError) as info:
        datasets.MNIST(download=True)
    message = str(info.value)
    assert "https://down.invalid/train-images-idx3-ubyte.gz: URLError" in message
    assert "https://bad.invalid/train-images-idx3-ubyte.gz: ChecksumError" in message
    assert str(offline / "mnist" / "train-images-idx3-ubyte.gz") in message
    assert list((offline / "mnist").iterdir()) == []


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("Yes", True), ("0", False), ("", False)]
)
def test_download_switch(monkeypatch, value, expected):
    monkeypatch.setenv("XGRAD_DOWNLOAD", value)
    assert datasets.download_enabled() is expected
    assert datasets.download_enabled(not expected) is (not expected)


def test_download_switch_rejects_unknown_values(monkeypatch):
    monkeypatch.setenv("XGRAD_DOWNLOAD", "maybe")
    with pytest.raises(ValueError, match="XGRAD_DOWNLOAD='maybe'"):
        datasets.download_enabled()


def test_cache_dir(monkeypatch, tmp_path):
    assert datasets.cache_dir == str(tmp_path / "cache")
    monkeypatch.delenv("XGRAD_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datasets.get_cache_dir() == tmp_path / "home" / ".xgrad" / "datasets"
    with pytest.raises(AttributeError):
        datasets.no_such_name  # noqa: B018


def test_get_file(offline, monkeypatch):
    url = "https://example.invalid/files/weights.npz"
    with pytest.raises(FileNotFoundError, match=r"weights\.npz"):
        datasets.get_file(url)
    serve(monkeypatch, {url: b"payload"})
    digest = hashlib.sha256(b"payload").hexdigest()
    path = datasets.get_file(url, download=True, sha256=digest)
    assert path == str(offline / "weights.npz")
    assert Path(path).read_bytes() == b"payload"
    with pytest.raises(datasets.ChecksumError):
        datasets.get_file(url, sha256="0" * 64)


# -- CIFAR ---------------------------------------------------------------------
def cifar_archive(path, members):
    """A .tar.gz holding ``members`` (name -> bytes)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def write_cifar10(folder, monkeypatch, per_batch=2, blobs=None):
    rng = np.random.default_rng(1)
    n = 6 * per_batch
    images = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    records = np.concatenate([labels[:, None], images.reshape(n, -1)], axis=1)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    members = {
        f"cifar-10-batches-bin/{name}": records[
            i * per_batch : (i + 1) * per_batch
        ].tobytes()
        for i, name in enumerate(names)
    }
    members["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\n"
    members.update(blobs or {})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cifar-10-binary.tar.gz"
    cifar_archive(path, members)
    monkeypatch.setattr(cifar.CIFAR10, "remote", official(path))
    return images, labels


def test_cifar10_reads_binary_records(offline, monkeypatch):
    images, labels = write_cifar10(offline / "cifar10", monkeypatch)
    train = datasets.CIFAR10(transform=None)
    assert train.data.shape == (10, 3, 32, 32)
    assert train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, images[:10])
    assert train.label.dtype == np.int64
    assert train.label.tolist() == labels[:10].tolist()
    test = datasets.CIFAR10(train=False)
    x, t = test[1]
    assert x.shape == (3, 32, 32)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, images[11] / 127.5 - 1, rtol=1e-6, atol=1e-6)
    assert t == labels[11]
    assert -1 <= x.min() <= x.max() <= 1
    assert datasets.CIFAR10.labels()[0] == "airplane"  # DeZero wrote 'ariplane'
    assert list(datasets.CIFAR10.labels().values())[-1] == "truck"


def test_cifar100_fine_and_coarse(offline, monkeypatch):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (5, 3072), dtype=np.uint8)
    coarse, fine = np.array([0, 19, 3, 4, 5]), np.array([99, 0, 42, 7, 8])
    records = np.concatenate([coarse[:, None], fine[:, None], images], axis=1)
    folder = offline / "cifar100"
    folder.mkdir(parents=True)
    path = folder / "cifar-100-binary.tar.gz"
    cifar_archive(
        path,
        {
            "cifar-100-binary/train.bin": records[:3].astype(np.uint8).tobytes(),
            "cifar-100-binary/test.bin": records[3:].astype(np.uint8).tobytes(),
        },
    )
    monkeypatch.setattr(cifar.CIFAR100, "remote", official(path))
    ds = datasets.CIFAR100(transform=None)
    assert ds.label.tolist() == [99, 0, 42]
    np.testing.assert_array_equal(ds.data.reshape(3, -1), images[:3])
    assert datasets.CIFAR100(train=False, label_type="coarse").label.tolist() == [4, 5]
    fine_names = datasets.CIFAR100.labels()
    assert len(set(fine_names.values())) == 100
    assert list(fine_names) == list(range(100))
    assert fine_names[0] == "apple"
    assert fine_names[99] == "worm"
    assert fine_names[42] == "leopard"
    coarse_names = datasets.CIFAR100.labels("coarse")
    assert len(coarse_names) == 20
    assert coarse_names[19] == "vehicles_2"
    with pytest.raises(ValueError, match="'fine' or 'coarse'"):
        datasets.CIFAR100(label_type="medium")


def test_cifar_missing_archive(offline):
    with pytest.raises(FileNotFoundError) as info:
        datasets.CIFAR10()
    message = str(info.value)
    assert str(offline / "cifar10" / "cifar-10-binary.tar.gz") in message
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz" in message
    assert "c32a1d4ab5d03f1284b67883e8d87530" in message


def test_cifar_refuses_the_pickle_version(offline, monkeypatch):
    folder = offline / "cifar10"
    folder.mkdir(parents=True)
    (folder / "cifar-10-python.tar.gz").write_bytes(b"not read")
    with pytest.raises(datasets.CorruptFileError, match="pickle") as info:
        datasets.CIFAR10()
    assert "cifar-10-binary.tar.gz" in str(info.value)
    (folder / "cifar-10-python.tar.gz").unlink()
    write_cifar10(folder, monkeypatch, blobs={"cifar-10-batches-py/data_batch_1": b"x"})
    with pytest.raises(datasets.CorruptFileError, match="only the binary version"):
        datasets.CIFAR10()


def test_cifar_truncated_member_and_bad_labels(offline, monkeypatch):
    member = "cifar-10-batches-bin/data_batch_3.bin"
    write_cifar10(offline / "cifar10", monkeypatch, blobs={member: b"\x01" * 3000})
    with pytest.raises(datasets.CorruptFileError) as info:
        datasets.CIFAR10()
    assert f"member {member} holds 3000 bytes" in str(info.value)
    assert "3073-byte record" in str(info.value)
    record = bytes([11]) + bytes(3072)
    write_cifar10(offline / "cifar10", monkeypatch, blobs={member: record})
    with pytest.raises(datasets.CorruptFileError, match="label 11 found"):
        datasets.CIFAR10()
    path = offline / "cifar10" / "cifar-10-binary.tar.gz"
    cifar_archive(path, {member: record})
    monkeypatch.setattr(cifar.CIFAR10, "remote", official(path))
    with pytest.raises(datasets.CorruptFileError, match=r"no member .*data_batch_1"):
        datasets.CIFAR10()


def test_cifar_checksum_checked_in_cache(offline, monkeypatch):
    write_cifar10(offline / "cifar10", monkeypatch)
    remote = cifar.CIFAR10.remote
    monkeypatch.setattr(
        cifar.CIFAR10, "remote", dataclasses.replace(remote, md5="0" * 32)
    )
    with pytest.raises(datasets.ChecksumError, match="md5 checksum mismatch"):
        datasets.CIFAR10()


def test_official_checksums_are_recorded():
    """Every official file carries a size, a SHA-256 and an MD5."""
    remotes = [r for pair in mnist.FILES.values() for r in pair]
    remotes += [cifar.CIFAR10.remote, cifar.CIFAR100.remote]
    for remote in remotes:
        assert remote.size
        assert len(remote.sha256) == 64
    assert all(
        len(gz.md5) == 32 and len(gz.urls) == 3 for gz, _ in mnist.FILES.values()
    )
    assert cifar.CIFAR10.remote.md5 == "c32a1d4ab5d03f1284b67883e8d87530"
    assert cifar.CIFAR100.remote.md5 == "03b5dce01913d631647c71ecec9e9cb8"
