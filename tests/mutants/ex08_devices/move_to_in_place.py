"""Replaces the tensors inside the caller's dicts and lists instead of building a new structure."""
import torch

CAUGHT_BY = ["test_move_to_moves_every_tensor_to_a_simulated_gpu", "test_move_to_on_each_gpu_here"]
MESSAGE = "in place"


def move_to(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        for key in obj:
            obj[key] = move_to(obj[key], device)
        return obj
    if isinstance(obj, list):
        obj[:] = [move_to(value, device) for value in obj]
        return obj
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(move_to(value, device) for value in obj))
    if isinstance(obj, tuple):
        return tuple(move_to(value, device) for value in obj)
    return obj
