"""Convolution and pooling: semantics beyond the op table, and DeZero's defects fixed.

Values, first and second derivatives of every op are in op_cases.py; here are
shapes, layouts, adjointness, tie handling, errors, and agreement with PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

import xgrad
import xgrad.functions as F
from xgrad.testing import gradgradcheck, gradient_check
from xgrad.utils import get_conv_outsize, get_deconv_outsize

from op_cases import np_average_pooling, np_col2im, np_im2col, np_pooling


def _np(v: xgrad.Variable) -> np.ndarray:
    return v.backend.to_numpy(v.data)


# -- DeZero's defects, fixed ------------------------------------------------------
def test_dezero_conv2d_weight_gradient_double_backward(to_backend, rng):
    """DeZero's Conv2DGradW.backward used its output gW instead of the incoming
    gradient: second derivatives through the weight gradient crashed or were
    wrong. Here they match central differences for x, W and b together."""
    x, W, b = (rng.uniform(-1, 1, s) for s in [(2, 2, 4, 3), (3, 2, 2, 2), (3,)])
    gradgradcheck(
        lambda x, W, b: F.conv2d(x, W, b, stride=(2, 1), pad=1),
        to_backend(x),
        to_backend(W),
        to_backend(b),
    )


def test_dezero_conv2d_hessian_wrt_weight(to_backend, rng):
    """sum(conv2d(x, W) ** 2) is quadratic in W, with Hessian 2 J^T J (J the
    im2col matrix): the Hessian-vector product through the weight gradient
    must equal it exactly (DeZero's gave a wrong value or crashed)."""
    x, W = rng.uniform(-1, 1, (2, 2, 4, 4)), rng.uniform(-1, 1, (3, 2, 3, 3))
    v = rng.uniform(-1, 1, W.shape)
    Wv = xgrad.Variable(to_backend(W))
    loss = F.sum(F.conv2d(to_backend(x), Wv, stride=2, pad=1) ** 2)
    loss.backward(create_graph=True)
    gW, Wv.grad = Wv.grad, None
    F.sum(gW * xgrad.Variable(to_backend(v))).backward()

    J = np_im2col(x, 3, 2, 1)  # (N * OH * OW, C * KH * KW)
    expected = 2 * v.reshape(3, -1) @ J.T @ J
    np.testing.assert_allclose(_np(Wv.grad), expected.reshape(W.shape), atol=1e-12)


def test_dezero_pooling_pads_with_minus_inf(to_backend):
    """DeZero padded max pooling with 0, so 0 won every border window of an
    all-negative image; padding is -inf and never wins."""
    x = -1.0 - np.arange(32.0).reshape(1, 2, 4, 4) / 10
    xv = xgrad.Variable(to_backend(x))
    y = F.pooling(xv, 3, stride=2, pad=1)
    y.backward()

    np.testing.assert_allclose(_np(y), np_pooling(x, 3, stride=2, pad=1))
    assert (_np(y) < 0).all()
    # every window's gradient reaches a real element: none is lost to padding
    assert _np(xv.grad).sum() == y.size


def test_dezero_pooling_simple_pads_with_minus_inf(to_backend):
    x = -1.0 - np.arange(16.0).reshape(1, 1, 4, 4)
    y = F.pooling_simple(to_backend(x), 2, stride=2, pad=1)
    np.testing.assert_allclose(_np(y), np_pooling(x, 2, stride=2, pad=1))


@pytest.mark.parametrize("kernel", [(3, 1), (1, 3), (2, 3)])
def test_dezero_average_pooling_non_square_kernel(kernel, to_backend, rng):
    """DeZero's average_pooling backward assumed KH == KW and crashed otherwise."""
    x = rng.uniform(-1, 1, (2, 2, 4, 5))
    y = F.average_pooling(to_backend(x), kernel, stride=(1, 2), pad=(1, 0))
    np.testing.assert_allclose(
        _np(y), np_average_pooling(x, kernel, stride=(1, 2), pad=(1, 0))
    )
    gradient_check(
        lambda v: F.average_pooling(v, kernel, stride=(1, 2), pad=(1, 0)),
        to_backend(x),
    )


# -- shapes and layouts -----------------------------------------------------------
GEOMETRIES = [  # (H, W), kernel, stride, pad
    ((7, 7), (3, 3), (1, 1), (0, 0)),
    ((7, 6), (3, 2), (2, 1), (1, 0)),
    ((5, 5), (5, 5), (1, 1), (2, 2)),
    ((8, 9), (2, 4), (3, 2), (1, 1)),
]


@pytest.mark.parametrize(("size", "k", "s", "p"), GEOMETRIES)
def test_shapes_follow_get_conv_outsize(size, k, s, p):
    x = np.zeros((2, 3, *size))
    oh = get_conv_outsize(size[0], k[0], s[0], p[0])
    ow = get_conv_outsize(size[1], k[1], s[1], p[1])

    assert F.conv2d(x, np.zeros((4, 3, *k)), stride=s, pad=p).shape == (2, 4, oh, ow)
    assert F.average_pooling(x, k, s, p).shape == (2, 3, oh, ow)
    assert F.im2col(x, k, s, p).shape == (2 * oh * ow, 3 * k[0] * k[1])
    assert F.im2col(x, k, s, p, to_matrix=False).shape == (2, 3, *k, oh, ow)
    if p[0] < k[0] and p[1] < k[1]:
        assert F.pooling(x, k, s, p).shape == (2, 3, oh, ow)
    y = F.deconv2d(np.zeros((2, 3, oh, ow)), np.zeros((3, 4, *k)), stride=s, pad=p)
    dh = get_deconv_outsize(oh, k[0], s[0], p[0])
    dw = get_deconv_outsize(ow, k[1], s[1], p[1])
    assert y.shape == (2, 4, dh, dw)


@pytest.mark.parametrize(("size", "k", "s", "p"), GEOMETRIES)
@pytest.mark.parametrize("to_matrix", [True, False])
def test_im2col_col2im_adjoint(size, k, s, p, to_matrix, to_backend, rng):
    """<im2col(x), c> == <x, col2im(c)>: col2im is im2col's transpose."""
    x = rng.standard_normal((2, 3, *size))
    col = F.im2col(to_backend(x), k, s, p, to_matrix)
    c = rng.standard_normal(col.shape)
    back = F.col2im(to_backend(c), x.shape, k, s, p, to_matrix)

    np.testing.assert_allclose(_np(col), np_im2col(x, k, s, p, to_matrix))
    np.testing.assert_allclose(_np(back), np_col2im(c, x.shape, k, s, p, to_matrix))
    np.testing.assert_allclose(np.vdot(_np(col), c), np.vdot(x, _np(back)))


def test_to_matrix_is_a_transposed_reshape(rng):
    x = rng.standard_normal((2, 3, 5, 4))
    tensor = F.im2col(x, (2, 3), 1, 1, to_matrix=False).data  # (N, C, KH, KW, OH, OW)
    matrix = F.im2col(x, (2, 3), 1, 1, to_matrix=True).data
    n, c, kh, kw, oh, ow = tensor.shape
    expected = tensor.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)
    np.testing.assert_array_equal(matrix, expected)


def test_ops_leave_their_inputs_alone(to_backend, rng):
    x, c = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((16, 18))
    xa, ca = to_backend(x), to_backend(c)
    F.im2col(xa, 3, 1, 1)
    F.col2im(ca, (1, 2, 4, 4), 3, 1, 1)
    F.pooling(xa, 3, 1, 1)
    backend = xgrad.Variable(xa).backend
    np.testing.assert_array_equal(backend.to_numpy(xa), x)
    np.testing.assert_array_equal(backend.to_numpy(ca), c)


# -- semantics --------------------------------------------------------------------
def test_deconv2d_is_the_gradient_of_conv2d(to_backend, rng):
    x, W = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    xv = xgrad.Variable(to_backend(x))
    y = F.conv2d(xv, to_backend(W), stride=2, pad=1)
    gy = rng.standard_normal(y.shape)
    y.grad = xgrad.Variable(to_backend(gy))
    y.backward()

    gx = F.deconv2d(to_backend(gy), to_backend(W), stride=2, pad=1, outsize=(7, 6))
    np.testing.assert_allclose(_np(xv.grad), _np(gx), atol=1e-12)


def test_simple_versions_agree(to_backend, rng):
    x, W, b = (rng.standard_normal(s) for s in [(2, 3, 6, 5), (4, 3, 3, 2), (4,)])
    args = [xgrad.Variable(to_backend(a)) for a in (x, W, b)]
    y1 = F.conv2d(*args, stride=2, pad=1)
    y2 = F.conv2d_simple(*args, stride=2, pad=1)
    np.testing.assert_allclose(_np(y1), _np(y2), atol=1e-12)
    np.testing.assert_allclose(
        _np(F.pooling(args[0], 3, 2, 1)), _np(F.pooling_simple(args[0], 3, 2, 1))
    )


@pytest.mark.parametrize(("ties", "share"), [("split", 0.25), ("all", 1.0)])
def test_pooling_ties_follow_max_ties(ties, share, to_backend):
    """Tied maxima share a window's gradient as F.max has them (Config.max_ties)."""
    x = np.ones((1, 1, 4, 4))
    for pool in (F.pooling, F.pooling_simple):
        xv = xgrad.Variable(to_backend(x))
        with xgrad.using_config("max_ties", ties):
            pool(xv, 2, stride=2).backward()
        np.testing.assert_allclose(_np(xv.grad), np.full(x.shape, share))


def test_pooling_gradient_goes_to_the_maximum(to_backend):
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]])
    xv = xgrad.Variable(to_backend(x))
    F.pooling(xv, 2).backward()
    np.testing.assert_array_equal(_np(xv.grad), [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_book_import_path():
    import xgrad.functions_conv as Fc

    assert Fc.conv2d is F.conv2d
    assert Fc.pooling is F.pooling
    assert Fc.im2col_array(np.zeros((1, 1, 3, 3)), 2, 1, 0).shape == (4, 4)
    assert Fc.col2im_array(np.ones((4, 4)), (1, 1, 3, 3), 2, 1, 0)[0, 0, 1, 1] == 4


# -- errors -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: F.conv2d(np.zeros((1, 3, 5, 5)), np.zeros((2, 4, 3, 3))), "conv2d"),
        (lambda: F.conv2d(np.zeros((3, 5, 5)), np.zeros((2, 3, 3, 3))), "conv2d"),
        (
            lambda: F.conv2d(
                np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3, 3)), np.ones(3)
            ),
            "bias",
        ),
        (lambda: F.conv2d(np.zeros((1, 3, 2, 2)), np.zeros((2, 3, 3, 3))), "fit"),
        (
            lambda: F.deconv2d(
                np.zeros((1, 3, 4, 4)),
                np.zeros((3, 2, 3, 3)),
                stride=2,
                outsize=(20, 9),
            ),
            "outsize",
        ),
        (lambda: F.pooling(np.zeros((1, 1, 4, 4)), 2, pad=2), "smaller"),
        (lambda: F.col2im(np.zeros((5, 4)), (1, 1, 3, 3), 2), "col2im"),
        (lambda: F.im2col(np.zeros((1, 1, 4, 4)), 0), "kernel_size"),
        (lambda: F.im2col(np.zeros((1, 1, 4, 4)), (1, 2, 3)), "pair"),
    ],
)
def test_errors_name_the_function_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- against PyTorch ----------------------------------------------------------------
@pytest.fixture
def torch_nn(backend):
    if backend.name != "torch":
        pytest.skip("compares with torch.nn.functional on the torch backend")
    torch = pytest.importorskip("torch")
    return torch, torch.nn.functional


def _torch_pair(torch, arrays):
    """The same float64 data as xgrad Variables and as leaf tensors."""
    ours = [xgrad.Variable(torch.tensor(a)) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _compare_with_torch(torch, ours_f, theirs_f, arrays, rng, double=False):
    ours, theirs = _torch_pair(torch, arrays)
    y, t = ours_f(*ours), theirs_f(*theirs)
    np.testing.assert_allclose(_np(y), t.detach().numpy(), atol=1e-12)
    gy = torch.tensor(rng.standard_normal(tuple(t.shape)))
    y.grad = xgrad.Variable(gy)
    y.backward(create_graph=double)
    grads = torch.autograd.grad(t, theirs, gy, create_graph=double)
    for v, g in zip(ours, grads, strict=True):
        np.testing.assert_allclose(_np(v.grad), g.detach().numpy(), atol=1e-12)
    if not double:
        return
    # second derivatives: the gradient of <first gradients, w>
    ws = [torch.tensor(rng.standard_normal(a.shape)) for a in arrays]
    total = sum(
        F.sum(v.grad * xgrad.Variable(w)) for v, w in zip(ours, ws, strict=True)
    )
    for v in ours:
        v.cleargrad()
    total.backward()
    t_total = sum((g * w).sum() for g, w in zip(grads, ws, strict=True))
    again = torch.autograd.grad(t_total, theirs, allow_unused=True)
    for v, g, a in zip(ours, again, arrays, strict=True):
        want = np.zeros(a.shape) if g is None else g.numpy()  # b: no second derivative
        got = np.zeros(a.shape) if v.grad is None else _np(v.grad)
        np.testing.assert_allclose(got, want, atol=1e-10)


def test_conv2d_matches_torch(torch_nn, rng):
    torch, tf = torch_nn
    arrays = [rng.standard_normal(s) for s in [(2, 3, 7, 6), (4, 3, 3, 2), (4,)]]
    _compare_with_torch(
        torch,
        lambda x, W, b: F.conv2d(x, W, b, stride=(2, 1), pad=(1, 0)),
        lambda x, W, b: tf.conv2d(x, W, b, stride=(2, 1), padding=(1, 0)),
        arrays,
        rng,
        double=True,
    )


def test_deconv2d_matches_torch_conv_transpose2d(torch_nn, rng):
    torch, tf = torch_nn
    arrays = [rng.standard_normal(s) for s in [(2, 3, 4, 3), (3, 2, 3, 3), (2,)]]
    _compare_with_torch(
        torch,
        lambda x, W, b: F.deconv2d(x, W, b, stride=2, pad=1, outsize=(8, 6)),
        lambda x, W, b: tf.conv_transpose2d(
            x, W, b, stride=2, padding=1, output_padding=1
        ),
        arrays,
        rng,
        double=True,
    )


def test_pooling_matches_torch_max_pool2d(torch_nn, rng):
    torch, tf = torch_nn
    x = rng.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0 - 5.0
    _compare_with_torch(
        torch,
        lambda x: F.pooling(x, (3, 2), stride=2, pad=1),
        lambda x: tf.max_pool2d(x, (3, 2), stride=2, padding=1),
        [x],
        rng,
    )


def test_average_pooling_matches_torch_avg_pool2d(torch_nn, rng):
    torch, tf = torch_nn
    _compare_with_torch(
        torch,
        lambda x: F.average_pooling(x, (3, 2), stride=(2, 1), pad=1),
        lambda x: tf.avg_pool2d(x, (3, 2), stride=(2, 1), padding=1),
        [rng.standard_normal((2, 3, 7, 6))],
        rng,
    )
