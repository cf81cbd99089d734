"""Plain torch.round: right forward value, zero gradient."""
import torch

CAUGHT_BY = ["test_straight_through_round"]
MESSAGE = "zero gradient"


def straight_through_round(x):
    return torch.round(x)
