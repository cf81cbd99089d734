"""torch.randperm without the generator: the order is the global generator's, whatever the seed."""
import torch

# train shuffles with data_iter, so its run is not reproducible either.
CAUGHT_BY = ["test_data_iter_shuffles", "test_train_starts"]
MESSAGE = "does not change with the generator"


def data_iter(batch_size, features, labels, generator=None):
    indices = torch.randperm(len(features))
    for start in range(0, len(features), batch_size):
        batch = indices[start: start + batch_size]
        yield features[batch], labels[batch]
