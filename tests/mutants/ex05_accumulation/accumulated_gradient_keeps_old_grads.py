"""Does not clear first: gradients from before the call are added in."""
CAUGHT_BY = ["test_accumulated_gradient_starts"]
MESSAGE = "old .grad was added in"


def accumulated_gradient(loss_fn, params, batches):
    for batch in batches:
        (loss_fn(params, batch) / len(batches)).backward()
    return [p.grad.clone() for p in params]
