"""Backpropagates each batch's loss unscaled: the sum of the batch gradients, len(batches) times too big."""
# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_accumulated_gradient"]
MESSAGE = "scaled by 1 / len(batches)"


def accumulated_gradient(loss_fn, params, batches):
    for p in params:
        p.grad = None
    for batch in batches:
        loss_fn(params, batch).backward()
    return [p.grad.clone() for p in params]
