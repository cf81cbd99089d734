"""Names the Python spelling, not the recorded operation: @ as Matmul, .T as t(), .to as To."""
CAUGHT_BY = ["test_predict_grad_fn_names"]
MESSAGE = "dispatches to"

# The right names under torch 2.13, to spoil some of them.
RIGHT = {
        "a + b": "AddBackward0", "a - b": "SubBackward0", "2 - a": "RsubBackward1", "a * b": "MulBackward0",
        "a / b": "DivBackward0", "M @ a": "MvBackward0", "M @ M": "MmBackward0", "a @ b": "DotBackward0",
        "a.sum()": "SumBackward0", "a.sum(0)": "SumBackward1", "a.mean()": "MeanBackward0",
        "a ** 2": "PowBackward0", "a ** b": "PowBackward1", "2 ** a": "PowBackward2", "a.sin()": "SinBackward0",
        "a.relu()": "ReluBackward0", "a.sigmoid()": "SigmoidBackward0", "a.view(3, 1)": "ViewBackward0",
        "M.t()": "TBackward0", "M.T": "PermuteBackward0", "a[0]": "SelectBackward0",
        "a.to(torch.float64)": "ToCopyBackward0",
    }


def predict_grad_fn_names():
    return {**RIGHT, "M @ a": "MatmulBackward0", "M @ M": "MatmulBackward0", "a @ b": "MatmulBackward0",
            "M.T": "TBackward0", "a.to(torch.float64)": "ToBackward0"}
