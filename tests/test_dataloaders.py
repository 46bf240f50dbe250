"""DataLoader and SeqDataLoader: DeZero's batching, on every backend and device.

Datasets here are small classes with ``__getitem__``/``__len__`` (the Dataset
protocol), so the loaders are tested apart from ``xgrad.datasets``.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad import backends
from xgrad.cuda import as_numpy
from xgrad.dataloaders import DataLoader, SeqDataLoader
from xgrad.devices import device_of
from xgrad.models import MLP
from xgrad.optimizers import SGD


class Numbered:
    """Example ``i`` is ``x = [i, i]`` (float32) with label ``t = i % 3``."""

    def __init__(self, n: int = 10) -> None:
        self.n = n

    def __getitem__(self, i: int):
        return np.full(2, i, dtype=np.float32), i % 3

    def __len__(self) -> int:
        return self.n


class Blobs:
    """Three separable clusters in 2-D, ten points each: something to learn."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        centres = np.array([[2.0, 0.0], [-1.0, 2.0], [-1.0, -2.0]])
        self.t = np.repeat(np.arange(3), 10)
        self.x = (centres[self.t] + 0.3 * rng.standard_normal((30, 2))).astype(
            np.float32
        )

    def __getitem__(self, i: int):
        return self.x[i], self.t[i]

    def __len__(self) -> int:
        return len(self.t)


def ids(x) -> list[int]:
    """Which examples of ``Numbered`` a batch holds."""
    return as_numpy(x)[:, 0].astype(int).tolist()


def epoch_order(loader: DataLoader) -> list[int]:
    return [i for x, _ in loader for i in ids(x)]


# -- batches ---------------------------------------------------------------------
def test_batches_are_arrays_on_the_loaders_device(backend, device_spec):
    loader = DataLoader(Numbered(10), batch_size=4, shuffle=False, device=device_spec)
    x, t = next(loader)
    assert backends.of(x) is backend
    assert backends.of(t) is backend
    assert device_of(x) == xgrad.device(device_spec)
    assert device_of(t) == xgrad.device(device_spec)
    assert x.shape == (4, 2)
    assert t.shape == (4,)
    assert x.dtype == backend.xp.float32  # the examples' dtype is kept
    assert t.dtype == backend.xp.int64
    np.testing.assert_array_equal(as_numpy(t), [0, 1, 2, 0])
    assert loader.device == xgrad.device(device_spec)


def test_default_device_is_taken_when_the_loader_is_made(device_spec):
    with xgrad.default_device(device_spec):
        loader = DataLoader(Numbered(4), batch_size=2)
    x, _ = next(loader)  # outside the block: still the device it was made on
    assert device_of(x) == xgrad.device(device_spec)


def test_order_without_shuffle_and_the_last_partial_batch(device_spec):
    loader = DataLoader(Numbered(10), batch_size=4, shuffle=False, device=device_spec)
    batches = [(ids(x), as_numpy(t).tolist()) for x, t in loader]
    assert batches == [
        ([0, 1, 2, 3], [0, 1, 2, 0]),
        ([4, 5, 6, 7], [1, 2, 0, 1]),
        ([8, 9], [2, 0]),  # what is left, as in DeZero
    ]
    assert [ids(x) for x, _ in DataLoader(Numbered(8), 4, shuffle=False)] == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
    ]


@pytest.mark.parametrize(
    ("n", "batch_size", "batches"), [(10, 4, 3), (8, 4, 2), (3, 5, 1)]
)
def test_len_is_the_number_of_batches(n, batch_size, batches):
    loader = DataLoader(Numbered(n), batch_size)
    assert len(loader) == loader.max_iter == batches
    assert len(list(loader)) == batches


def test_an_empty_dataset_gives_no_batches():
    loader = DataLoader(Numbered(0), 4)
    assert len(loader) == 0
    assert list(loader) == []


def test_shuffling_visits_every_example_once_per_epoch(device_spec):
    xgrad.manual_seed(0)
    loader = DataLoader(Numbered(50), batch_size=8, device=device_spec)
    first, second = epoch_order(loader), epoch_order(loader)
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second  # a new order each epoch
    assert first != list(range(50))


def test_manual_seed_repeats_the_order():
    xgrad.manual_seed(3)
    loader = DataLoader(Numbered(20), 6)
    orders = [epoch_order(loader), epoch_order(loader)]
    xgrad.manual_seed(3)
    loader = DataLoader(Numbered(20), 6)
    assert [epoch_order(loader), epoch_order(loader)] == orders


def test_seed_gives_the_loader_its_own_generator():
    xgrad.manual_seed(0)
    a = DataLoader(Numbered(20), 6, seed=5)
    xgrad.manual_seed(1)  # the default generator does not matter
    b = DataLoader(Numbered(20), 6, seed=5)
    assert [epoch_order(a), epoch_order(a)] == [epoch_order(b), epoch_order(b)]
    assert epoch_order(DataLoader(Numbered(20), 6, seed=6)) != epoch_order(
        DataLoader(Numbered(20), 6, seed=5)
    )
    assert a.generator is not xgrad.random.default_generator()


def test_the_order_is_the_same_on_every_device(device_spec):
    # The permutation is drawn on the host, so the device does not change it.
    on_device = DataLoader(Numbered(20), 6, seed=0, device=device_spec)
    on_numpy = DataLoader(Numbered(20), 6, seed=0)
    assert epoch_order(on_device) == epoch_order(on_numpy)
    assert isinstance(on_device.index, np.ndarray)


def test_saved_random_state_brings_back_the_next_epochs_order():
    xgrad.manual_seed(0)
    loader = DataLoader(Numbered(20), 6)
    epoch_order(loader)
    state = xgrad.random.default_generator().get_state()  # as save_checkpoint does
    expected = epoch_order(loader)
    xgrad.random.default_generator().set_state(state)  # as load_checkpoint does
    assert epoch_order(DataLoader(Numbered(20), 6)) == expected


# -- the iteration protocol ------------------------------------------------------
def test_iteration_protocol_as_in_dezero():
    loader = DataLoader(Numbered(5), batch_size=2, shuffle=False)
    assert iter(loader) is loader
    assert ids(next(loader)[0]) == [0, 1]
    assert ids(loader.next()[0]) == [2, 3]
    assert loader.iteration == 2
    assert ids(next(loader)[0]) == [4]
    with pytest.raises(StopIteration):
        next(loader)
    assert loader.iteration == 0  # the end of an epoch rewinds
    assert ids(next(loader)[0]) == [0, 1]


def test_reset_starts_the_epoch_again():
    loader = DataLoader(Numbered(6), batch_size=2, shuffle=False)
    next(loader)
    next(loader)
    loader.reset()
    assert loader.iteration == 0
    assert epoch_order(loader) == list(range(6))

    xgrad.manual_seed(0)
    shuffled = DataLoader(Numbered(30), batch_size=4)
    next(shuffled)
    shuffled.reset()
    assert sorted(epoch_order(shuffled)) == list(range(30))


def test_labels_of_none_give_none():
    class Unlabelled:
        def __getitem__(self, i):
            return np.full(3, i, dtype=np.float32), None

        def __len__(self):
            return 4

    x, t = next(DataLoader(Unlabelled(), 4, shuffle=False))
    assert x.shape == (4, 3)
    assert t is None


def test_examples_may_be_arrays_of_any_library(backend, to_backend, device_spec):
    class OnBackend:
        def __getitem__(self, i):
            return to_backend(np.full((2, 2), i, dtype=np.float32)), to_backend(
                np.asarray(i)
            )

        def __len__(self):
            return 3

    x, t = next(DataLoader(OnBackend(), 3, shuffle=False))  # to NumPy
    assert isinstance(x, np.ndarray)
    assert x.shape == (3, 2, 2)
    np.testing.assert_array_equal(t, [0, 1, 2])
    x, _ = next(DataLoader(OnBackend(), 3, shuffle=False, device=device_spec))
    assert backends.of(x) is backend
    assert device_of(x) == xgrad.device(device_spec)


def test_examples_of_different_shapes_raise():
    class Ragged:
        def __getitem__(self, i):
            return np.zeros(i + 1), 0

        def __len__(self):
            return 3

    with pytest.raises(ValueError, match=r"x have different shapes \[\(1,\), \(2,\)"):
        next(DataLoader(Ragged(), 3, shuffle=False))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        DataLoader(Numbered(), 0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        DataLoader(Numbered(), 2.5)
    with pytest.raises(ValueError, match="not both"):
        DataLoader(Numbered(), 2, gpu=True, device="numpy")


# -- SeqDataLoader ---------------------------------------------------------------
def test_seq_dataloader_walks_each_row_along_its_own_stretch(device_spec):
    # DeZero: row b of batch i is example (b * jump + i) % len, jump = len // batch
    loader = SeqDataLoader(Numbered(10), batch_size=3, device=device_spec)
    assert len(loader) == 4
    assert [ids(x) for x, _ in loader] == [
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
        [3, 6, 9],
    ]
    assert not loader.shuffle
    x, t = next(loader)  # the next epoch starts again
    assert ids(x) == [0, 3, 6]
    assert device_of(x) == xgrad.device(device_spec)
    np.testing.assert_array_equal(as_numpy(t), [0, 0, 0])


def test_seq_dataloader_wraps_around_the_end():
    loader = SeqDataLoader(Numbered(7), batch_size=2)  # jump 3, four batches
    assert [ids(x) for x, _ in loader] == [[0, 3], [1, 4], [2, 5], [3, 6]]
    loader = SeqDataLoader(Numbered(5), batch_size=2)  # jump 2; 2 + 2 + 1 wraps
    assert [ids(x) for x, _ in loader][-1] == [2, 4]


# -- devices ---------------------------------------------------------------------
def test_to_device_moves_the_batches(backend, device_spec):
    loader = DataLoader(Numbered(4), 2, shuffle=False)
    assert loader.to_device(device_spec) is loader
    x, t = next(loader)
    assert device_of(x) == device_of(t) == xgrad.device(device_spec)
    assert loader.to_cpu() is loader  # the library's own CPU, else NumPy
    x, _ = next(loader)
    expected = backend.cpu_device() or xgrad.device("numpy")
    assert loader.device == device_of(x) == expected
    assert not loader.gpu


def test_to_device_checks_the_spec_at_once():
    loader = DataLoader(Numbered(4), 2)
    with pytest.raises(ValueError, match="unknown backend"):
        loader.to_device("nolib")
    assert loader.device == xgrad.device("numpy")


def test_to_gpu_without_a_gpu_raises_as_variables_do(backend, device_spec):
    if backend.gpu_device() is not None or xgrad.cuda.gpu_enable:
        pytest.skip("this machine has a GPU")
    loader = DataLoader(Numbered(4), 2, device=device_spec)
    with pytest.raises(RuntimeError) as from_loader:
        loader.to_gpu()
    variable = xgrad.Variable(xgrad.zeros(1, device=device_spec))
    with pytest.raises(RuntimeError) as from_variable:
        variable.to_gpu()
    assert str(from_loader.value) == str(from_variable.value)
    assert "to_gpu: no GPU to move to" in str(from_loader.value)
    assert loader.device == xgrad.device(device_spec)  # left where it was
    with pytest.raises(RuntimeError, match="no GPU to move to"):
        DataLoader(Numbered(4), 2, gpu=True)


@pytest.mark.gpu
def test_gpu_true_puts_batches_on_the_gpu():
    if not xgrad.cuda.gpu_enable:
        pytest.skip("cupy: no CUDA device")
    loader = DataLoader(Numbered(4), 2, gpu=True)
    x, t = next(loader)
    assert loader.gpu
    assert backends.of(x).name == backends.of(t).name == "cupy"
    loader.to_cpu()
    assert isinstance(next(loader)[0], np.ndarray)


# -- the book's training loop ----------------------------------------------------
def test_book_style_training_loop(device_spec):
    xgrad.manual_seed(0)
    max_epoch, batch_size = 20, 10
    train_set = Blobs()
    train_loader = DataLoader(train_set, batch_size)
    with xgrad.default_device(device_spec):
        model = MLP((10, 3))
    optimizer = SGD(lr=0.5).setup(model)
    if xgrad.cuda.gpu_enable:  # the book's step 52
        train_loader.to_gpu()
        model.to_gpu()
    else:
        train_loader.to_device(device_spec)

    losses, accs = [], []
    for _epoch in range(max_epoch):
        sum_loss, sum_acc = 0.0, 0.0
        for x, t in train_loader:
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
            acc = F.accuracy(y, t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            sum_loss += float(as_numpy(loss.data)) * t.shape[0]
            sum_acc += float(as_numpy(acc.data)) * t.shape[0]
        losses.append(sum_loss / len(train_set))
        accs.append(sum_acc / len(train_set))
    assert losses[-1] < losses[0] / 2
    assert accs[-1] > 0.9


def test_a_checkpoint_between_epochs_resumes_training_exactly(device_spec, tmp_path):
    from xgrad.optimizers import MomentumSGD
    from xgrad.serialization import load_checkpoint, save_checkpoint

    def train(model, optimizer, loader, epochs):
        for _ in range(epochs):
            for x, t in loader:
                loss = F.softmax_cross_entropy(model(x), t)
                model.cleargrads()
                loss.backward()
                optimizer.update()

    def setup():
        model = MLP((5, 3)).to_device(device_spec)
        return model, MomentumSGD(lr=0.1).setup(model)

    xgrad.manual_seed(0)
    model, optimizer = setup()
    train(model, optimizer, DataLoader(Blobs(), 7, device=device_spec), 4)
    expected = [as_numpy(p.data) for p in model.params()]

    xgrad.manual_seed(0)
    model, optimizer = setup()
    train(model, optimizer, DataLoader(Blobs(), 7, device=device_spec), 2)
    save_checkpoint(tmp_path / "ckpt.npz", model, optimizer, epoch=2)
    xgrad.manual_seed(123)  # a new process would start elsewhere

    model, optimizer = setup()
    assert load_checkpoint(tmp_path / "ckpt.npz", model, optimizer) == {"epoch": 2}
    train(model, optimizer, DataLoader(Blobs(), 7, device=device_spec), 2)
    for got, want in zip(model.params(), expected, strict=True):
        np.testing.assert_array_equal(as_numpy(got.data), want)
