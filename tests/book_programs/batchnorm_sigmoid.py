"""Linear, BatchNorm and sigmoid trained with SGD on the spiral, as in the book's
examples/spiral.py: float32 inputs meet float64 weights in every product."""

import dezero
import dezero.functions as F
import dezero.layers as L
import numpy as np
from dezero import DataLoader, Model, optimizers


class NormedNet(Model):
    def __init__(self, hidden_size, out_size):
        super().__init__()
        self.fc1 = L.Linear(hidden_size)
        self.norm = L.BatchNorm()
        self.fc2 = L.Linear(out_size)

    def forward(self, x):
        return self.fc2(F.sigmoid(self.norm(self.fc1(x))))


train_set = dezero.datasets.Spiral(train=True)  # seeds the global stream
loader = DataLoader(train_set, batch_size=25)  # shuffles each epoch
model = NormedNet(8, 3)
optimizer = optimizers.SGD(lr=0.8).setup(model)

for epoch in range(12):
    total = 0.0
    for x, t in loader:
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        total += float(loss.data) * len(t)
    if epoch % 3 == 2:
        print("epoch", epoch + 1, "loss", total / len(train_set))

print(model.norm.avg_mean.data[:3], model.norm.avg_var.data[:3])
x, t = train_set[0]
with dezero.test_mode():
    score = model(np.array([x]))
print(score.data, t)
