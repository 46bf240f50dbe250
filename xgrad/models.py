"""Models: ``Model`` (a Layer that can draw itself), ``Sequential``, ``MLP``, VGG16, ResNet.

There are no pretrained weights to download: ``pretrained`` takes the path of
a local ``.npz`` file (DeZero's release files load as they are).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

from . import functions as F
from . import layers as L
from .core import Variable
from .graph import plot_dot_graph
from .layers import Layer

__all__ = [
    "MLP",
    "VGG16",
    "BottleneckA",
    "BottleneckB",
    "BuildingBlock",
    "Model",
    "ResNet",
    "ResNet50",
    "ResNet101",
    "ResNet152",
    "Sequential",
]


class Model(Layer):
    """The base of models: a Layer with :meth:`plot`."""

    def plot(self, *inputs: Any, to_file: str = "model.png") -> str:
        """Draw the graph of one forward pass on ``inputs`` (see ``plot_dot_graph``)."""
        y = self.forward(*inputs)
        return plot_dot_graph(y, verbose=True, to_file=to_file)


# pretrained=: False (or None) for fresh weights, or a local weights file.
Pretrained = bool | str | os.PathLike[str] | None


def _load_pretrained(model: Model, pretrained: Pretrained) -> None:
    if pretrained is False or pretrained is None:
        return
    if pretrained is True:
        raise ValueError(
            f"{type(model).__name__}(pretrained=True): xgrad downloads nothing at run "
            f"time; pass the path of a local .npz weights file instead, e.g. "
            f"{type(model).__name__}(pretrained='vgg16.npz'), or call load_weights(path)"
        )
    model.load_weights(os.fspath(pretrained))


class Sequential(Model):
    """Layers applied one after another; they are named ``l0``, ``l1`` ..."""

    def __init__(self, *layers: Layer | Callable[[Any], Any]) -> None:
        super().__init__()
        self.layers = []
        for i, layer in enumerate(layers):
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Any) -> Variable:
        for layer in self.layers:
            x = layer(x)
        return x


class MLP(Model):
    """Fully connected layers ``l0``, ``l1`` ... of the given output sizes.

    ``activation`` follows every layer but the last.

    Parameters
    ----------
    fc_output_sizes : sequence of int
        Output size of each :class:`~xgrad.layers.Linear` layer, in order; the
        input size is taken from the first batch.
    activation : callable, default xgrad.functions.sigmoid
        Applied after every layer but the last.

    Examples
    --------
    >>> import numpy as np
    >>> from xgrad.models import MLP
    >>> MLP((10, 3))(np.zeros((4, 2), dtype=np.float32)).shape
    (4, 3)
    """

    def __init__(
        self,
        fc_output_sizes: tuple[int, ...] | list[int],
        activation: Callable[[Any], Variable] = F.sigmoid,
    ) -> None:
        super().__init__()
        self.activation = activation
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = L.Linear(out_size)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Any) -> Variable:
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


class VGG16(Model):
    """VGG-16 (Simonyan and Zisserman, 2014) with DeZero's layer names."""

    def __init__(self, pretrained: Pretrained = False) -> None:
        super().__init__()
        widths = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}
        for block, width in widths.items():
            for i in range(1, 3 if block < 3 else 4):
                setattr(self, f"conv{block}_{i}", L.Conv2d(width, 3, stride=1, pad=1))
        self.fc6 = L.Linear(4096)
        self.fc7 = L.Linear(4096)
        self.fc8 = L.Linear(1000)
        _load_pretrained(self, pretrained)

    def forward(self, x: Any) -> Variable:
        for block in range(1, 6):
            for i in range(1, 3 if block < 3 else 4):
                x = F.relu(getattr(self, f"conv{block}_{i}")(x))
            x = F.pooling(x, 2, 2)
        x = F.reshape(x, (x.shape[0], -1))
        x = F.dropout(F.relu(self.fc6(x)))
        x = F.dropout(F.relu(self.fc7(x)))
        return self.fc8(x)


class ResNet(Model):
    """ResNet (He et al., 2015) with 50, 101 or 152 layers, DeZero's layer names.

    ``blocks`` and ``n_classes`` build smaller variants (tests, small images).
    """

    BLOCKS: ClassVar[dict[int, tuple[int, int, int, int]]] = {
        50: (3, 4, 6, 3),
        101: (3, 4, 23, 3),
        152: (3, 8, 36, 3),
    }

    def __init__(
        self,
        n_layers: int = 152,
        pretrained: Pretrained = False,
        *,
        blocks: tuple[int, int, int, int] | None = None,
        n_classes: int = 1000,
    ) -> None:
        super().__init__()
        if blocks is None:
            if n_layers not in self.BLOCKS:
                raise ValueError(
                    f"ResNet: n_layers must be 50, 101 or 152, got {n_layers}"
                )
            blocks = self.BLOCKS[n_layers]
        self.conv1 = L.Conv2d(64, 7, stride=2, pad=3, in_channels=3)
        self.bn1 = L.BatchNorm()
        self.res2 = BuildingBlock(blocks[0], 64, 64, 256, 1)
        self.res3 = BuildingBlock(blocks[1], 256, 128, 512, 2)
        self.res4 = BuildingBlock(blocks[2], 512, 256, 1024, 2)
        self.res5 = BuildingBlock(blocks[3], 1024, 512, 2048, 2)
        self.fc6 = L.Linear(n_classes)
        _load_pretrained(self, pretrained)

    def forward(self, x: Any) -> Variable:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.pooling(x, kernel_size=3, stride=2)
        x = self.res5(self.res4(self.res3(self.res2(x))))
        n, c, h, w = x.shape
        x = F.reshape(F.average_pooling(x, (h, w), stride=1), (n, c))
        return self.fc6(x)


class ResNet50(ResNet):
    def __init__(self, pretrained: Pretrained = False) -> None:
        super().__init__(50, pretrained)


class ResNet101(ResNet):
    def __init__(self, pretrained: Pretrained = False) -> None:
        super().__init__(101, pretrained)


class ResNet152(ResNet):
    def __init__(self, pretrained: Pretrained = False) -> None:
        super().__init__(152, pretrained)


class BuildingBlock(Layer):
    """One BottleneckA (changes resolution) then ``n_layers - 1`` BottleneckB."""

    def __init__(
        self,
        n_layers: int,
        in_channels: int,
        mid_channels: int,
        out_channels: int,
        stride: int,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        self.a = BottleneckA(
            in_channels, mid_channels, out_channels, stride, downsample_fb
        )
        self._forward = ["a"]
        for i in range(n_layers - 1):
            setattr(self, f"b{i + 1}", BottleneckB(out_channels, mid_channels))
            self._forward.append(f"b{i + 1}")

    def forward(self, x: Any) -> Variable:
        for name in self._forward:
            x = getattr(self, name)(x)
        return x


def _conv(in_c: int, out_c: int, k: int, stride: int, pad: int) -> L.Conv2d:
    return L.Conv2d(out_c, k, stride=stride, pad=pad, nobias=True, in_channels=in_c)


class BottleneckA(Layer):
    """A bottleneck that changes resolution, with a projection shortcut."""

    def __init__(
        self,
        in_channels: int,
        mid_channels: int,
        out_channels: int,
        stride: int = 2,
        downsample_fb: bool = False,
    ) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if downsample_fb else (stride, 1)
        self.conv1 = _conv(in_channels, mid_channels, 1, stride_1x1, 0)
        self.bn1 = L.BatchNorm()
        self.conv2 = _conv(mid_channels, mid_channels, 3, stride_3x3, 1)
        self.bn2 = L.BatchNorm()
        self.conv3 = _conv(mid_channels, out_channels, 1, 1, 0)
        self.bn3 = L.BatchNorm()
        self.conv4 = _conv(in_channels, out_channels, 1, stride, 0)
        self.bn4 = L.BatchNorm()

    def forward(self, x: Any) -> Variable:
        h1 = F.relu(self.bn1(self.conv1(x)))
        h1 = F.relu(self.bn2(self.conv2(h1)))
        h1 = self.bn3(self.conv3(h1))
        h2 = self.bn4(self.conv4(x))
        return F.relu(h1 + h2)


class BottleneckB(Layer):
    """A bottleneck that keeps resolution, with an identity shortcut."""

    def __init__(self, in_channels: int, mid_channels: int) -> None:
        super().__init__()
        self.conv1 = _conv(in_channels, mid_channels, 1, 1, 0)
        self.bn1 = L.BatchNorm()
        self.conv2 = _conv(mid_channels, mid_channels, 3, 1, 1)
        self.bn2 = L.BatchNorm()
        self.conv3 = _conv(mid_channels, in_channels, 1, 1, 0)
        self.bn3 = L.BatchNorm()

    def forward(self, x: Any) -> Variable:
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + x)
