"""d2l's version as printed: random.shuffle, which never sees the generator."""
import random

import torch

# train shuffles with data_iter, so its run is not reproducible either.
CAUGHT_BY = ["test_data_iter_shuffles", "test_train_starts"]
MESSAGE = "same seed gave different orders"


def data_iter(batch_size, features, labels, generator=None):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]
