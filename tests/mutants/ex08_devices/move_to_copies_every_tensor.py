"""Copies each tensor "to be safe", also one that is already on the device."""
import torch

CAUGHT_BY = ["test_move_to_returns_a_tensor", "test_move_to_moves_every_tensor_to_a_simulated_gpu",
             "test_move_to_on_each_gpu_here"]
MESSAGE = "copied"


def move_to(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone().to(device)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(move_to(value, device) for value in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(move_to(value, device) for value in obj)
    return obj
