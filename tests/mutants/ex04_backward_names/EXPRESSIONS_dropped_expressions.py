"""Expressions of the stub deleted from EXPRESSIONS (the contract says it holds at least those)."""
CAUGHT_BY = ["test_EXPRESSIONS"]
MESSAGE = "missing: M.T"

EXPRESSIONS = (
    'a + b',
    'a - b',
    '2 - a',
    'a * b',
    'a / b',
    'M @ a',
    'M @ M',
    'a @ b',
    'a.sum()',
    'a.sum(0)',
    'a.mean()',
    'a ** 2',
    'a ** b',
    '2 ** a',
    'a.sin()',
    'a.relu()',
    'a.sigmoid()',
    'a.view(3, 1)',
    'M.t()',
    'a.to(torch.float64)',
)
