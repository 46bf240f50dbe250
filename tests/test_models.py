"""Models: Sequential, MLP, Model.plot, VGG16 and ResNet."""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
import xgrad.layers as L
from xgrad.cuda import as_numpy
from xgrad.models import MLP, VGG16, ResNet, Sequential


def float32(a):
    return np.asarray(a, dtype=np.float32)


def small_resnet(**kwargs):
    return ResNet(blocks=(1, 1, 1, 1), n_classes=10, **kwargs)


# -- Sequential and MLP ------------------------------------------------------------


def test_sequential_applies_layers_and_functions_in_order(rng):
    first, second = L.Linear(5, in_size=3), L.Linear(2, in_size=5)
    model = Sequential(first, F.relu, second)
    x = float32(rng.standard_normal((4, 3)))
    y = model(x)
    expected = second(F.relu(first(x)))
    assert y.shape == (4, 2)
    np.testing.assert_array_equal(as_numpy(y), as_numpy(expected))


def test_sequential_names_its_steps_l0_l1_and_owns_only_layer_params():
    first, second = L.Linear(5, in_size=3), L.Linear(2, in_size=5)
    model = Sequential(first, F.relu, second)
    assert (model.l0, model.l1, model.l2) == (first, F.relu, second)
    assert list(model.params()) == [first.W, first.b, second.W, second.b]


def test_mlp_has_layers_l0_l1_of_the_given_output_sizes(rng):
    model = MLP((10, 5, 2))
    y = model(float32(rng.standard_normal((7, 3))))
    assert y.shape == (7, 2)
    assert [model.l0.W.shape, model.l1.W.shape, model.l2.W.shape] == [
        (3, 10),
        (10, 5),
        (5, 2),
    ]
    assert len(list(model.params())) == 6


def test_mlp_applies_the_activation_between_layers_but_not_after_the_last(rng):
    model = MLP((6, 3), activation=F.relu)
    x = float32(rng.standard_normal((4, 2)))
    y = model(x)
    expected = model.l1(F.relu(model.l0(x)))
    np.testing.assert_array_equal(as_numpy(y), as_numpy(expected))


@pytest.mark.parametrize(
    "make",
    [lambda: MLP((4, 2)), lambda: Sequential(L.Linear(4), F.tanh, L.Linear(2))],
    ids=["MLP", "Sequential"],
)
def test_models_with_a_layer_list_move_to_a_device(make, backend, device_spec, rng):
    model = make()
    model(float32(rng.standard_normal((3, 5))))  # create the weights on NumPy
    assert model.to_device(device_spec) is model
    for p in model.params():
        assert p.backend is backend
        assert str(p.device) == str(xgrad.device(device_spec))
    y = model(xgrad.asarray(float32(rng.standard_normal((3, 5))), device=device_spec))
    assert str(y.device) == str(xgrad.device(device_spec))


# -- Model.plot --------------------------------------------------------------------


def test_model_plot_writes_a_dot_file_without_graphviz(tmp_path, monkeypatch, rng):
    monkeypatch.setattr("xgrad.graph.shutil.which", lambda name: None)
    model = MLP((4, 2))
    written = model.plot(
        float32(rng.standard_normal((3, 2))), to_file=str(tmp_path / "model.png")
    )
    assert written == str(tmp_path / "model.dot")
    assert [p.name for p in tmp_path.iterdir()] == ["model.dot"]
    text = (tmp_path / "model.dot").read_text()
    assert text.startswith("digraph g {")
    assert "Linear" in text
    assert "Sigmoid" in text
    assert "(3, 2) float32" in text  # verbose: shapes and dtypes


# -- VGG16 and ResNet --------------------------------------------------------------


@pytest.mark.parametrize("make", [VGG16, small_resnet], ids=["VGG16", "ResNet"])
def test_pretrained_true_says_nothing_is_downloaded_and_asks_for_a_path(make):
    with pytest.raises(ValueError, match=r"downloads nothing.*local \.npz"):
        make(pretrained=True)


def test_resnet_n_layers_must_be_50_101_or_152():
    with pytest.raises(ValueError, match="50, 101 or 152"):
        ResNet(n_layers=34)


def test_small_resnet_classifies_a_tiny_image():
    model = small_resnet()
    x = xgrad.random.normal(size=(1, 3, 32, 32), dtype=np.float32)
    y = model(x)
    assert y.shape == (1, 10)
    assert y.dtype == np.float32
    assert np.all(np.isfinite(as_numpy(y)))


def test_vgg16_classifies_a_tiny_image_in_test_mode():
    model = VGG16()
    x = xgrad.random.normal(size=(1, 3, 32, 32), dtype=np.float32)
    with xgrad.test_mode():
        y = model(x)
    assert y.shape == (1, 1000)
    assert model.fc6.W.shape == (512, 4096)  # 32 pixels halved five times


def test_pretrained_path_loads_weights_saved_from_the_same_architecture(tmp_path):
    trained = small_resnet()
    trained(xgrad.random.normal(size=(2, 3, 32, 32), dtype=np.float32))
    path = tmp_path / "resnet.npz"
    trained.save_weights(str(path))

    loaded = small_resnet(pretrained=path)
    pairs = list(zip(trained.params(), loaded.params(), strict=True))
    assert len(pairs) > 50
    for want, got in pairs:
        assert got.shape == want.shape
        np.testing.assert_array_equal(as_numpy(got), as_numpy(want))
