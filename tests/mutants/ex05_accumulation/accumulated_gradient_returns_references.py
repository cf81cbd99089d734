"""Returns the .grad tensors themselves: a later zero_grad clears what was returned."""
CAUGHT_BY = ["test_accumulated_gradient_leaves"]
MESSAGE = "return copies"


def accumulated_gradient(loss_fn, params, batches):
    for p in params:
        p.grad = None
    for batch in batches:
        (loss_fn(params, batch) / len(batches)).backward()
    return [p.grad for p in params]
