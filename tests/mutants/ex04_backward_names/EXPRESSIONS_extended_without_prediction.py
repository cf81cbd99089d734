"""EXPRESSIONS grew an expression of the student's own, which predict_grad_fn_names does not name."""
CAUGHT_BY = ["test_EXPRESSIONS"]
MESSAGE = "no name for 1"

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
    'M.T',
    'a[0]',
    'a.to(torch.float64)',
    "a.cos()",
)
