"""Conv2d, pooling, EmbedID and AdaGrad on small arrays, seeded NumPy-style."""
# ruff: noqa: NPY002  (the book seeds and draws with NumPy's global stream)

import dezero.functions as F
import dezero.layers as L
import numpy as np
from dezero import optimizers
from dezero.models import Sequential

np.random.seed(3)
conv = L.Conv2d(2, kernel_size=3, pad=1)
fc = L.Linear(3)
embed = L.EmbedID(5, 4)
x = np.random.randn(2, 1, 4, 4).astype(np.float32)
ids = np.array([1, 4, 1])
t = np.array([0, 2])
params = Sequential(conv, fc, embed)
optimizer = optimizers.AdaGrad(lr=0.1).setup(params)
for i in range(3):
    h = F.pooling(F.relu(conv(x)), 2, 2)
    y = fc(F.reshape(h, (2, -1))) + F.sum(embed(ids))
    loss = F.softmax_cross_entropy(y, t)
    params.cleargrads()
    loss.backward()
    optimizer.update()
    print(i, loss.data)
print(conv.W.dtype, embed.W.dtype, embed.W.data[1])
