"""step before backward: each step applies the previous step's gradient."""
import torch

# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_train_linear"]
MESSAGE = "one step behind"


def train_linear(theta0, X, y, steps, lr):
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    for _ in range(steps):
        loss = ((X @ theta - y) ** 2).mean()
        optimizer.step()
        optimizer.zero_grad()
        loss.backward()
    return theta.detach()
