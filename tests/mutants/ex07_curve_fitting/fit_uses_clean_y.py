"""fit takes its loss against the notebook's global y, the clean curve, instead of the noisy yt it is given.

In the notebook y is a global of make_data's default 1000 points, so on the graders' data of
another size the loss raises a shape error; the message must name the mistake instead.
"""
import torch
from torch import nn

CAUGHT_BY = ["test_fit_matches", "test_fit_approaches"]
MESSAGE = "fit uses the clean y instead of the noisy yt"

X_notebook = torch.linspace(-10, 10, 1000)
y = 1.5 * torch.sin(X_notebook) + 1.2 * torch.cos(X_notebook / 4)


def fit(X, yt, epochs=500, lr=0.01, generator=None):
    theta = torch.randn(3, generator=generator, requires_grad=True)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(fit_model(theta, X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return theta.detach(), losses
