"""Features and labels shuffled with two different permutations: pairs come apart."""
import torch

CAUGHT_BY = ["test_data_iter_yields", "test_train_recovers"]
MESSAGE = "labels no longer match"


def data_iter(batch_size, features, labels, generator=None):
    features = features[torch.randperm(len(features), generator=generator)]
    labels = labels[torch.randperm(len(labels), generator=generator)]
    for start in range(0, len(features), batch_size):
        yield features[start: start + batch_size], labels[start: start + batch_size]
