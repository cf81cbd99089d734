"""Clears the gradients before every batch, as in a training loop: only the last batch is left."""
# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_accumulated_gradient"]
MESSAGE = "cleared between batches"


def accumulated_gradient(loss_fn, params, batches):
    for batch in batches:
        for p in params:
            p.grad = None
        (loss_fn(params, batch) / len(batches)).backward()
    return [p.grad.clone() for p in params]
