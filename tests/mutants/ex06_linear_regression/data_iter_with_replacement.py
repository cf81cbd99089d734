"""Indices drawn with replacement: some examples twice, others never."""
import torch

CAUGHT_BY = ["test_data_iter_yields"]
MESSAGE = "more than once"


def data_iter(batch_size, features, labels, generator=None):
    indices = torch.randint(len(features), (len(features),), generator=generator)
    for start in range(0, len(features), batch_size):
        batch = indices[start: start + batch_size]
        yield features[batch], labels[batch]
