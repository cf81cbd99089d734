"""The checks: comparisons against torch.autograd, graph renderings, hypothesis strategies, and the
references (the graders' ground truth)."""
