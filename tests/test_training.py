"""Small networks train to good accuracy or loss on every backend.

Data is made here: a spiral (as the book's ``get_spiral``), 8x8 images of
four stroke patterns, and a sine curve. Nothing is downloaded.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad import Variable
from xgrad.models import MLP, Model
from xgrad.optimizers import SGD, Adam


def spiral(n_per_class: int = 50, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs, ts = [], []
    for c in range(classes):
        rate = np.arange(n_per_class) / n_per_class
        radius = 1.0 * rate
        theta = c * 4.0 + 4.0 * rate + rng.standard_normal(n_per_class) * 0.2
        xs.append(np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=1))
        ts.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ts)


def stroke_images(n: int = 160, seed: int = 0):
    """8x8 images of a horizontal bar, a vertical bar, a diagonal or a cross."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    images = rng.normal(0.0, 0.3, (n, 1, 8, 8)).astype(np.float32)
    for img, label in zip(images, labels, strict=True):
        pos = rng.integers(2, 6)
        if label in (0, 3):
            img[0, pos, 1:7] += 2.0
        if label in (1, 3):
            img[0, 1:7, pos] += 2.0
        if label == 2:
            img[0, np.arange(1, 7), np.arange(1, 7)] += 2.0
    return images, labels


def fit(model, optimizer, x, t, loss_fn, steps):
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(xgrad.cuda.as_numpy(loss.data)))
    return losses


def test_spiral_mlp_learns(device_spec):
    xgrad.manual_seed(0)
    x_np, t_np = spiral()
    x = xgrad.asarray(x_np, device=device_spec)
    t = xgrad.asarray(t_np, device=device_spec)
    with xgrad.default_device(device_spec):
        model = MLP((30, 3))
    optimizer = Adam(alpha=0.05).setup(model)
    fit(model, optimizer, x, t, F.softmax_cross_entropy, 300)

    acc = F.accuracy(model(x), t)
    assert float(xgrad.cuda.as_numpy(acc.data)) > 0.9
    assert all(str(p.device) == str(xgrad.device(device_spec)) for p in model.params())


class SmallCNN(Model):
    def __init__(self):
        super().__init__()
        self.conv = L.Conv2d(8, kernel_size=3, pad=1)
        self.fc = L.Linear(4)

    def forward(self, x):
        h = F.pooling(F.relu(self.conv(x)), 2, 2)
        return self.fc(F.reshape(h, (h.shape[0], -1)))


def test_cnn_learns_8x8_stroke_images(device_spec):
    xgrad.manual_seed(0)
    images, labels = stroke_images()
    x = xgrad.asarray(images, device=device_spec)
    t = xgrad.asarray(labels, device=device_spec)
    model = SmallCNN()
    optimizer = Adam(alpha=0.01).setup(model)
    fit(model, optimizer, x, t, F.softmax_cross_entropy, 60)

    acc = F.accuracy(model(x), t)
    assert float(xgrad.cuda.as_numpy(acc.data)) > 0.95


class SineRNN(Model):
    def __init__(self, hidden):
        super().__init__()
        self.rnn = L.LSTM(hidden)
        self.fc = L.Linear(1)

    def reset_state(self):
        self.rnn.reset_state()

    def forward(self, x):
        return self.fc(self.rnn(x))


@pytest.mark.skip_backend(
    "dask",
    reason="1,485 one-element time steps are ~60,000 tiny lazy ops: minutes on "
    "Dask, whose per-task cost suits big arrays (docs/dask.md); "
    "tests/test_dask.py covers truncated BPTT with unchain_backward on Dask",
)
def test_lstm_predicts_a_sine_curve(device_spec):
    xgrad.manual_seed(0)
    wave = np.sin(np.linspace(0, 4 * np.pi, 100)).astype(np.float32)
    xs = Variable(xgrad.asarray(wave[:-1].reshape(-1, 1, 1), device=device_spec))
    ts = Variable(xgrad.asarray(wave[1:].reshape(-1, 1, 1), device=device_spec))
    with xgrad.default_device(device_spec):
        model = SineRNN(16)
    optimizer = Adam(alpha=0.01).setup(model)
    bptt = 30
    epoch_losses = []
    for _ in range(15):
        model.reset_state()
        loss, total = 0, 0.0
        for i in range(len(wave) - 1):
            loss += F.mean_squared_error(model(xs[i]), ts[i])
            if (i + 1) % bptt == 0 or i == len(wave) - 2:
                model.cleargrads()
                loss.backward()
                loss.unchain_backward()
                optimizer.update()
                total += float(xgrad.cuda.as_numpy(loss.data))
                loss = 0
        epoch_losses.append(total)
    assert epoch_losses[-1] < 0.1 * epoch_losses[0]


def test_a_model_trained_on_numpy_and_on_a_non_default_device_agree():
    strict = pytest.importorskip("array_api_strict")
    del strict
    x_np, t_np = spiral(20)

    def train(spec):
        xgrad.manual_seed(1)
        model = MLP((10, 3))
        model(x_np[:1])  # create the weights on NumPy, from one seed
        model.to_device(spec)
        optimizer = SGD(lr=0.5).setup(model)
        x = Variable(xgrad.asarray(x_np, device=spec))
        t = xgrad.asarray(t_np, device=spec)
        return fit(model, optimizer, x, t, F.softmax_cross_entropy, 20)

    np.testing.assert_allclose(
        train("numpy"), train("array_api_strict:device1"), rtol=1e-5
    )
