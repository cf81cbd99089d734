"""Batches in the original order: nothing is shuffled."""
CAUGHT_BY = ["test_data_iter_shuffles"]
MESSAGE = "original order"


def data_iter(batch_size, features, labels, generator=None):
    for start in range(0, len(features), batch_size):
        yield features[start: start + batch_size], labels[start: start + batch_size]
