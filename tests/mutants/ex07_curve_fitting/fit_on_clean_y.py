"""The blog's bug: the loss is taken against the clean curve y, not the noisy yt it was given."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches", "test_fit_approaches"]
MESSAGE = "fit the noisy yt it was given"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    y = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)
    theta = torch.randn(3, generator=generator, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(y, fit_model(theta, X))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return theta.detach(), losses
