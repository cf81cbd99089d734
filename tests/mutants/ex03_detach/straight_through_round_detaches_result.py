"""Detaches the rounded value: nothing requires grad any more."""
import torch

CAUGHT_BY = ["test_straight_through_round"]
MESSAGE = "does not require grad"


def straight_through_round(x):
    return torch.round(x).detach()
