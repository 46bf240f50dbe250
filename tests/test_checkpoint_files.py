"""Training checkpoints: model, optimizer and random state saved together resume exactly."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad.models import MLP
from xgrad.optimizers import Adam
from xgrad.serialization import load_checkpoint, save_checkpoint


def make(device_spec):
    xgrad.manual_seed(0)
    with xgrad.default_device(device_spec):
        model = MLP((16, 3))
    data = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)
    x = xgrad.asarray(data, device=device_spec)
    t = xgrad.asarray(np.arange(32) % 3, device=device_spec)
    return model, Adam(alpha=0.01).setup(model), x, t


def train(model, optimizer, x, t, steps):
    losses = []
    for _ in range(steps):
        h = F.dropout(model(x), 0.3)  # draws from xgrad.random: state matters
        loss = F.softmax_cross_entropy(h, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        losses.append(float(xgrad.cuda.as_numpy(loss.data)))
    return losses


def test_a_checkpoint_resumes_training_exactly(device_spec, tmp_path):
    model, optimizer, x, t = make(device_spec)
    train(model, optimizer, x, t, 3)
    path = tmp_path / "run.npz"
    save_checkpoint(path, model, optimizer, epoch=3)
    uninterrupted = train(model, optimizer, x, t, 4)

    model2, optimizer2, _, _ = make(device_spec)
    xgrad.manual_seed(123)  # a different random state, to be replaced
    extra = load_checkpoint(path, model2, optimizer2)
    resumed = train(model2, optimizer2, x, t, 4)

    assert extra == {"epoch": 3}
    assert resumed == uninterrupted
    assert optimizer2.t == optimizer.t


def test_a_checkpoint_loads_onto_another_device(tmp_path):
    pytest.importorskip("array_api_strict")
    model, optimizer, x, t = make("numpy")
    train(model, optimizer, x, t, 2)
    save_checkpoint(tmp_path / "run.npz", model, optimizer)

    model2, optimizer2, _, _ = make("numpy")
    model2.to_device("array_api_strict:device1")
    load_checkpoint(tmp_path / "run.npz", model2, optimizer2)
    for p, q in zip(model.params(), model2.params(), strict=True):
        assert str(q.device) == "array_api_strict:device1"
        np.testing.assert_array_equal(xgrad.cuda.as_numpy(q.data), p.data)
        for key, value in q.state.items():
            assert str(xgrad.devices.device_of(value)) == "array_api_strict:device1"
            np.testing.assert_array_equal(xgrad.cuda.as_numpy(value), p.state[key])


def test_a_bad_checkpoint_changes_nothing(tmp_path):
    model, optimizer, x, t = make("numpy")
    train(model, optimizer, x, t, 1)
    save_checkpoint(tmp_path / "run.npz", model)  # no optimizer state inside
    model2, optimizer2, _, _ = make("numpy")
    model2(x)  # create the weights
    before = [p.data.copy() for p in model2.params()]
    with pytest.raises(ValueError, match="no optimizer state"):
        load_checkpoint(tmp_path / "run.npz", model2, optimizer2)
    for p, b in zip(model2.params(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="cannot read"):
        load_checkpoint(tmp_path / "junk.npz", model2)


def test_a_checkpoint_path_follows_the_npz_suffix_rule(tmp_path):
    model, optimizer, x, t = make("numpy")
    train(model, optimizer, x, t, 1)
    save_checkpoint(tmp_path / "run", model, optimizer, epoch=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]
    model2, optimizer2, _, _ = make("numpy")
    assert load_checkpoint(tmp_path / "run", model2, optimizer2) == {"epoch": 1}
    with pytest.raises(FileNotFoundError, match=r"load_checkpoint: no file .*'\.npz'"):
        load_checkpoint(tmp_path / "other", model2, optimizer2)


def test_weights_round_trip_through_safetensors(tmp_path):
    pytest.importorskip("safetensors", reason="safetensors: not installed")
    model, _, x, _ = make("numpy")
    model(x)
    model.save_weights(str(tmp_path / "w.safetensors"))
    other, _, _, _ = make("numpy")
    other(x)
    other.load_weights(str(tmp_path / "w.safetensors"))
    for p, q in zip(model.params(), other.params(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    with pytest.raises(FileNotFoundError, match=r"no file '.*v\.safetensors'; a path"):
        other.load_weights(str(tmp_path / "v.safetensors"))
