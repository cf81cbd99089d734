"""New leaves put into the list: the caller's w and b (the ones in the graph) never move."""
CAUGHT_BY = ["test_sgd", "test_train_recovers"]
MESSAGE = "replaced"


def sgd(params, lr, batch_size):
    for i, param in enumerate(params):
        params[i] = (param - lr * param.grad / batch_size).detach().requires_grad_(True)
