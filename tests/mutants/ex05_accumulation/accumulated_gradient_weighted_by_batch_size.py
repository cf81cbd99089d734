"""Scales each batch by its share of the examples (len(batch) / total) instead of 1 / len(batches):
the same for equal batches, but the contract asks for 1 / len(batches) whatever the sizes."""
import torch

CAUGHT_BY = ["test_accumulated_gradient_equals_full_batch_gradient"]
MESSAGE = "scaled by 1 / len(batches), whatever its size"


def accumulated_gradient(loss_fn, params, batches):
    for p in params:
        p.grad = None
    total = sum(len(batch[0]) for batch in batches)
    for batch in batches:
        (loss_fn(params, batch) * len(batch[0]) / total).backward()
    return [p.grad.clone() for p in params]
