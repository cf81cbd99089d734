"""Never clears the gradients: each step follows the sum of all the gradients so far."""
import torch

# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_train_linear"]
MESSAGE = "without zero_grad"


def train_linear(theta0, X, y, steps, lr):
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    for _ in range(steps):
        ((X @ theta - y) ** 2).mean().backward()
        optimizer.step()
    return theta.detach()
