"""w drawn from the global generator: a seed does not reproduce the run."""
import torch

CAUGHT_BY = ["test_train_starts"]
MESSAGE = "all randomness must be drawn from `generator`"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None):
    w = torch.normal(0, 0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(squared_loss(linreg(features, w, b), labels).mean().item())
    return w.detach(), b.detach(), losses
