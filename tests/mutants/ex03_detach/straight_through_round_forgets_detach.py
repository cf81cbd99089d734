"""The straight-through formula without its detach: x and -x cancel, the gradient is 0."""
import torch

CAUGHT_BY = ["test_straight_through_round"]
MESSAGE = "zero gradient"


def straight_through_round(x):
    return x + (torch.round(x) - x)
