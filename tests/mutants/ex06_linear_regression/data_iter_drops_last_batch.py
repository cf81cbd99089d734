"""Only full batches: the smaller last batch is dropped."""
import torch

CAUGHT_BY = ["test_data_iter_yields"]
MESSAGE = "last, smaller batch was dropped"


def data_iter(batch_size, features, labels, generator=None):
    indices = torch.randperm(len(features), generator=generator)
    for k in range(len(features) // batch_size):
        batch = indices[k * batch_size: (k + 1) * batch_size]
        yield features[batch], labels[batch]
