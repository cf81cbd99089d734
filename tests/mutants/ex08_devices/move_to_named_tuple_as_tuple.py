"""Rebuilds every tuple with tuple(...), so a named tuple loses its type and its fields."""
import torch

CAUGHT_BY = ["test_move_to_keeps", "test_move_to_moves_every_tensor_to_a_simulated_gpu",
             "test_move_to_on_each_gpu_here"]
MESSAGE = "named tuple"


def move_to(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, tuple):
        return tuple(move_to(value, device) for value in obj)
    if isinstance(obj, list):
        return [move_to(value, device) for value in obj]
    return obj
