"""theta drawn from the global generator (or torch.rand, as in the blog's default argument)."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches"]
MESSAGE = "torch.randn(3, generator=generator)"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.rand(3, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(fit_model(theta, X), yt)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return theta.detach(), losses
