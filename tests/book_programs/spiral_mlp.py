"""The spiral, a shuffling DataLoader, an MLP and SGD, as in the book's step 49."""
# ruff: noqa: NPY002  (the book seeds and draws with NumPy's global stream)

import dezero
import dezero.functions as F
import numpy as np
from dezero import DataLoader, optimizers
from dezero.models import MLP

np.random.seed(0)
train_set = dezero.datasets.Spiral(train=True)  # reseeds the global stream
loader = DataLoader(train_set, batch_size=30)  # shuffles now
model = MLP((10, 3))
optimizer = optimizers.SGD(lr=1.0).setup(model)

for epoch in range(3):
    total = 0.0
    for x, t in loader:
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        total += float(loss.data) * len(t)
    print("epoch", epoch + 1, "loss", total / len(train_set))
print(model.l0.W.dtype, model.l0.b.dtype, loss.data.dtype)
print(model.l1.W.data[0])
