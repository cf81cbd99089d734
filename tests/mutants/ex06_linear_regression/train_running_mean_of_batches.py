"""Records the mean of the batch losses seen while training, not the loss after the epoch."""
import torch

CAUGHT_BY = ["test_train_records"]
MESSAGE = "end of the epoch"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
    w = torch.normal(0, 0.01, size=(features.shape[1], 1), generator=generator).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        total = 0.0
        for X, y in data_iter(batch_size, features, labels, generator):
            loss = squared_loss(linreg(X, w, b), y).sum()
            total += loss.item()
            loss.backward()
            sgd([w, b], lr, batch_size)
        losses.append(total / len(features))
    return w.detach(), b.detach(), losses
