"""Each epoch's loss is recomputed after the step, so the curve is shifted by one epoch."""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches"]
MESSAGE = "recorded after the step"


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.randn(3, generator=generator, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss_fn(fit_model(theta, X), yt).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(loss_fn(fit_model(theta, X), yt).item())
    return theta.detach(), losses
