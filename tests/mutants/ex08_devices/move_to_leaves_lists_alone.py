"""Handles dicts and tuples but returns lists unchanged, so the tensors inside them stay behind."""
import torch

CAUGHT_BY = ["test_move_to_moves_every_tensor_to_a_simulated_gpu", "test_move_to_on_each_gpu_here"]
MESSAGE = "also those inside"


def move_to(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {key: move_to(value, device) for key, value in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(move_to(value, device) for value in obj))
    if isinstance(obj, tuple):
        return tuple(move_to(value, device) for value in obj)
    return obj
