"""SinCurve, an LSTM trained with truncated backprop, as in the book's step 60."""
# ruff: noqa: NPY002  (the book seeds and draws with NumPy's global stream)

import dezero
import dezero.functions as F
import dezero.layers as L
import numpy as np
from dezero import Model
from dezero.dataloaders import SeqDataLoader


class BetterRNN(Model):
    def __init__(self, hidden_size, out_size):
        super().__init__()
        self.rnn = L.LSTM(hidden_size)
        self.fc = L.Linear(out_size)

    def reset_state(self):
        self.rnn.reset_state()

    def forward(self, x):
        return self.fc(self.rnn(x))


np.random.seed(0)
train_set = dezero.datasets.SinCurve(train=True)
loader = SeqDataLoader(train_set, batch_size=10)
model = BetterRNN(6, 1)
optimizer = dezero.optimizers.Adam().setup(model)
model.reset_state()
loss, count = 0, 0
for step, (x, t) in enumerate(loader):
    loss += F.mean_squared_error(model(x), t)
    count = step + 1
    if count % 15 == 0:
        model.cleargrads()
        loss.backward()
        loss.unchain_backward()
        optimizer.update()
        print("step", step + 1, "loss", float(loss.data) / count)
    if step == 59:
        break
test_set = dezero.datasets.SinCurve(train=False)
print(test_set[0], model.rnn.h2f.W.shape)
