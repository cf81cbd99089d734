"""Trims INPLACE_CASES to the statements it finds interesting: the two view cases are gone."""
CAUGHT_BY = ["test_INPLACE_CASES"]
MESSAGE = "b = a.view(3); b.mul_(2)"

INPLACE_CASES = (
    "b = a.sigmoid(); b.mul_(2)", "b = a * 2; b.add_(1)", "b = a.exp(); b.add_(1)", "b = a ** 2; b.add_(1)",
    "b = a.sin(); b.add_(1)", "b = a.tanh(); b.add_(1)", "b = a.relu(); b.zero_()", "b = a.clone(); b[0] = 0",
    "a.add_(1); b = a", "b = a.clone(); c = b * b; b.add_(1); b = c",
)
