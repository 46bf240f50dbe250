"""A model of the book's style with dropout, trained by MomentumSGD and Adam."""
# ruff: noqa: NPY002  (the book seeds and draws with NumPy's global stream)

import dezero.functions as F
import dezero.layers as L
import numpy as np
from dezero import Model, optimizers, test_mode


class Net(Model):
    def __init__(self):
        super().__init__()
        self.l1 = L.Linear(8)
        self.l2 = L.Linear(1)

    def forward(self, x):
        h = F.dropout(F.relu(self.l1(x)), dropout_ratio=0.3)
        return self.l2(h)


np.random.seed(1)
x = np.random.rand(40, 2)
y = np.sin(2 * np.pi * x[:, :1]) + x[:, 1:] + 0.1 * np.random.rand(40, 1)
for opt in (optimizers.MomentumSGD(lr=0.05), optimizers.Adam(alpha=0.01)):
    model = Net()
    opt.setup(model)
    for i in range(30):
        loss = F.mean_squared_error(model(x), y)
        model.cleargrads()
        loss.backward()
        opt.update()
        if i % 10 == 0:
            print(type(opt).__name__, i, loss.data)
    with test_mode():
        print("test", F.mean_squared_error(model(x), y).data)
print(model.l1.b.data.dtype, model.l1.b.data[:3])
