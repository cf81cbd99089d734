"""Which tests enforce which sentence of the contract (../shared/CURRICULUM.md).

Each entry of CLAUSES quotes one clause of the contract, word for word (whitespace aside): a
sentence of a bullet, or a part of one ended by ";" outside backticks, as
tests/test_contract_coverage.py splits them. With it go the tests that fail when a submission
breaks that clause, as ``path::test_function`` relative to tests/ (a grader test is
``graders/test_exNN_topic.py::test_...``).

The clause list is kept here, not only in CURRICULUM.md, so that a fresh clone without
../shared can still check that every listed test exists. Where CURRICULUM.md is there, the test
also checks this table against it: every clause of the contract must be here, and nothing that
is no longer in it.

NAMES lists each module's contract names (the backticked name that opens a bullet): each needs a
grader test named ``test_<name>_...``.

EXCLUDED: sections whose grader is maintained elsewhere for now, with the reason.
"""
from __future__ import annotations

EXCLUDED = {
    "ex08_devices": "its grader and references are being rewritten by another engineer; list its clauses here "
                    "once that lands",
}

NAMES = {
    "ex01_graphs": ("build_graph", "dy_dw_by_hand", "dy_dw_autograd", "backward_node_names", "count_paths"),
    "ex02_leaves": ("grads_after_backward", "grad_of_intermediate", "make_leaf"),
    "ex03_detach": ("h_without_x", "partial_stop", "straight_through_round", "snapshot"),
    "ex04_backward_names": ("EXPRESSIONS", "predict_grad_fn_names", "pow_variants", "Cube"),
    "ex05_accumulation": ("grad_after_n_backwards", "backward_twice_same_graph", "train_linear", "accumulated_gradient"),
    "ex06_linear_regression": ("synthetic_data", "data_iter", "linreg", "squared_loss", "sgd", "squared_loss_grads",
                               "train", "loss_for_graph"),
    "ex07_curve_fitting": ("make_data", "fit_model", "fit", "theta_grad_by_hand", "plot_fit"),
    "ex09_inplace": ("INPLACE_CASES", "predict_inplace_errors", "version_counts", "saved_tensor_shapes", "saved_bytes",
                     "checkpointed_mlp"),
    "ex10_higher_order": ("second_derivative", "hvp", "jacobian_rows", "jvp_forward", "per_sample_grads",
                          "numerical_gradient"),
}


def g(module: str, *tests: str) -> list[str]:
    """Grader tests of one module, as node ids relative to tests/."""
    return [f"graders/test_{module}.py::{t}" for t in tests]


PROVEN = ["test_graders_proven.py::test_grader_catches_mutant"]
ACCEPTS = ["test_graders_accept_alternatives.py::test_grader_gives_full_points_to_correct_alternative"]
RANDOM = ["test_random_checks.py::test_synthetic_data_checks_pass_correct_draws_for_every_seed",
          "test_random_checks.py::test_train_start_check_passes_correct_draws_for_every_seed",
          "test_random_checks.py::test_make_data_noise_check_passes_correct_draws_for_every_seed",
          "test_random_checks.py::test_normal_sample_problem_rejects_wrong_distributions"]

E01, E02, E03, E04, E05 = "ex01_graphs", "ex02_leaves", "ex03_detach", "ex04_backward_names", "ex05_accumulation"
E06, E07, E09, E10 = "ex06_linear_regression", "ex07_curve_fitting", "ex09_inplace", "ex10_higher_order"

# (section, clause, tests)
CLAUSES: list[tuple[str, str, list[str]]] = [
    # ------------------------------------------------------------------ general rules
    ("general", "Inputs are float32 tensors unless said otherwise;",
     g(E02, "test_make_leaf_is_a_leaf_that_backward_fills") + g(E06, "test_synthetic_data_draws_the_contract_distributions")
     + g(E07, "test_make_data_values_and_noise") + g(E09, "test_predict_inplace_errors_matches_installed_torch")),
    ("general", "outputs keep the input dtype and device.",
     g(E01, "test_dy_dw_by_hand_matches_autograd", "test_dy_dw_autograd_matches_autograd")
     + g(E03, "test_partial_stop_value_and_gradient", "test_straight_through_round_value_and_gradient")
     + g(E04, "test_Cube_values_and_derivatives_match_autograd", "test_Cube_node_is_named_CubeBackward")
     + g(E05, "test_grad_after_n_backwards_is_n_times_the_gradient", "test_train_linear_follows_the_sgd_trajectory")
     + g(E06, "test_linreg_values_and_gradients", "test_squared_loss_is_elementwise",
         "test_squared_loss_grads_matches_autograd")
     + g(E07, "test_fit_model_values_and_gradient", "test_theta_grad_by_hand_matches_autograd")
     + g(E09, "test_checkpointed_mlp_matches_the_plain_mlp")
     + g(E10, "test_second_derivative_matches_autograd", "test_numerical_gradient_matches_autograd_in_float64")),
    ("general", "A function never changes the caller's tensors (values, `requires_grad`, `.grad`) unless its text "
                "says so.",
     g(E01, "test_build_graph_values", "test_dy_dw_by_hand_matches_autograd",
       "test_dy_dw_autograd_leaves_callers_grads_alone", "test_count_paths_counts_every_edge_path")
     + g(E02, "test_grad_of_intermediate_leaves_callers_grads_alone", "test_make_leaf_is_a_leaf_that_backward_fills")
     + g(E03, "test_h_without_x_leaves_callers_x_requiring_grad", "test_partial_stop_value_and_gradient",
         "test_snapshot_is_an_independent_copy")
     + g(E05, "test_grad_after_n_backwards_leaves_callers_tensors_alone",
         "test_backward_twice_same_graph_leaves_callers_tensors_alone", "test_train_linear_returns_a_detached_copy")
     + g(E06, "test_squared_loss_grads_matches_autograd")
     + g(E07, "test_theta_grad_by_hand_matches_autograd")
     + g(E09, "test_version_counts_leaves_callers_tensor_alone", "test_saved_tensor_shapes_leaves_callers_tensors_alone",
         "test_saved_bytes_leaves_callers_tensors_alone", "test_checkpointed_mlp_matches_the_plain_mlp")
     + g(E10, "test_second_derivative_leaves_callers_x_alone", "test_hvp_matches_hessian_times_v",
         "test_jacobian_rows_matches_autograd_jacobian", "test_jvp_forward_matches_jacobian_times_v",
         "test_per_sample_grads_matches_a_loop_of_autograd_grad", "test_numerical_gradient_matches_autograd_in_float64")),
    ("general", "\"Without autograd\" means: it must give the right answer when called under `torch.no_grad()` with "
                "inputs that do not require grad, and it must not call `backward` or `torch.autograd.grad`.",
     g(E01, "test_dy_dw_by_hand_matches_autograd") + g(E06, "test_squared_loss_grads_matches_autograd")
     + g(E07, "test_theta_grad_by_hand_matches_autograd")
     + g(E10, "test_numerical_gradient_matches_autograd_in_float64", "test_numerical_gradient_without_autograd")),
    ("general", "`generator` arguments are `torch.Generator` objects (or None);",
     g(E06, "test_synthetic_data_draws_the_contract_distributions", "test_data_iter_shuffles_with_the_generator",
       "test_train_starts_from_the_generator")
     + g(E07, "test_make_data_values_and_noise", "test_fit_matches_reference_run")),
    ("general", "all randomness goes through them, so a fixed seed gives a reproducible result.",
     g(E06, "test_synthetic_data_draws_the_contract_distributions", "test_data_iter_shuffles_with_the_generator",
       "test_train_starts_from_the_generator")
     + g(E07, "test_make_data_values_and_noise", "test_fit_matches_reference_run") + RANDOM + ACCEPTS),
    ("general", "Graders name each test after the function it grades (`test_build_graph_...`), so a failing test "
                "says which function is wrong.",
     ["test_contract_coverage.py::test_every_contract_name_has_a_grader_test_named_after_it",
      "test_graders_proven.py::test_every_function_has_two_mutants_and_a_named_test"]),
    ("general", "A submission module may import its sibling modules from the same folder (ex08 may use "
                "`ex07_curve_fitting`);",
     ["test_feedback.py::test_a_wrong_ex07_costs_ex08_no_points",
      "test_feedback.py::test_an_ex08_importing_what_the_courses_ex07_lacks_is_told_why"]),
    ("general", "graders put the submission folder first on the import path.",
     ["test_feedback.py::test_a_wrong_ex07_costs_ex08_no_points"]),

    # -------------------------------------------------------------------------- ex01
    (E01, "`build_graph(w, x) -> (a, b, y)`: `a = w + x`, `b = w + 1`, `y = a * b`, with autograd history.",
     g(E01, "test_build_graph_values")),
    (E01, "Graded by comparing the torchviz rendering of `y` (params named `w`, `x`) with the reference rendering.",
     g(E01, "test_build_graph_rendering_matches_reference")),
    (E01, "`dy_dw_by_hand(w, x) -> Tensor`: dy/dw by the chain rule, summing over both paths (`b * 1 + a * 1`), "
          "without autograd.",
     g(E01, "test_dy_dw_by_hand_matches_autograd")),
    (E01, "`dy_dw_autograd(w, x) -> Tensor`: the same value through autograd;",
     g(E01, "test_dy_dw_autograd_matches_autograd")),
    (E01, "the caller's `w.grad` and `x.grad` stay as they were.",
     g(E01, "test_dy_dw_autograd_leaves_callers_grads_alone")),
    (E01, "`backward_node_names(t) -> list[str]`: the names (`type(node).__name__`, so `AccumulateGrad`) of every "
          "autograd node reachable from `t.grad_fn`, each node once, in breadth-first order following "
          "`next_functions` in their order and skipping `None`;",
     g(E01, "test_backward_node_names_matches_graph")),
    (E01, "`[]` when `t.grad_fn` is None.", g(E01, "test_backward_node_names_matches_graph")),
    (E01, "`count_paths(root, leaf) -> int`: the number of distinct paths in the backward graph from "
          "`root.grad_fn` to the `AccumulateGrad` node of `leaf`;",
     g(E01, "test_count_paths_counts_every_edge_path")),
    (E01, "0 when `leaf` is not in the graph.", g(E01, "test_count_paths_counts_every_edge_path")),
    (E01, "For the graph above: `count_paths(y, w) == 2`, `count_paths(y, x) == 1`.",
     g(E01, "test_count_paths_counts_every_edge_path")),
    (E01, "Paths are counted over edges, so `w * w` has two paths to `w`.",
     g(E01, "test_count_paths_counts_every_edge_path")),

    # -------------------------------------------------------------------------- ex02
    (E02, "`grads_after_backward(w, x) -> dict[str, Tensor | None]`: build the ex01 graph from `w`, `x` (leaves that "
          "require grad), keep the gradients of `a` and `b` (not `y`), call `y.backward()`, and return the `.grad` of "
          "`\"w\"`, `\"x\"`, `\"a\"`, `\"b\"`, `\"y\"` (so `\"y\"` maps to None).",
     g(E02, "test_grads_after_backward_matches_autograd")),
    (E02, "This one may set the caller's `w.grad` and `x.grad`.", g(E02, "test_grads_after_backward_matches_autograd")),
    (E02, "`grad_of_intermediate(w, x) -> Tensor`: dy/da for the ex01 graph, captured with a tensor hook "
          "(`register_hook`), without `retain_grad` and without `torch.autograd.grad`.",
     g(E02, "test_grad_of_intermediate_uses_a_hook")),
    (E02, "`make_leaf(values, *, dtype=torch.float32, device=\"cpu\") -> Tensor`: a tensor holding `values` (a list or "
          "tensor) with that dtype and device that requires grad and is a leaf, so that a later backward fills its "
          "`.grad` (the `.to()` / `.cuda()` trap).",
     g(E02, "test_make_leaf_is_a_leaf_that_backward_fills")),

    # -------------------------------------------------------------------------- ex03
    (E03, "`h_without_x(w, x, b) -> Tensor`: `h = w * x + b` where `x` (which arrives requiring grad) takes no part "
          "in the autograd graph: the rendering of `h` has accumulate nodes for `w` and `b` only.",
     g(E03, "test_h_without_x_values", "test_h_without_x_rendering_matches_reference")),
    (E03, "The caller's `x` still requires grad afterwards.", g(E03, "test_h_without_x_leaves_callers_x_requiring_grad")),
    (E03, "`partial_stop(w, x) -> Tensor`: the value `w * x + w ** 2`, but gradient flows only through `w * x` "
          "(so dy/dw = x).",
     g(E03, "test_partial_stop_value_and_gradient")),
    (E03, "`straight_through_round(x) -> Tensor`: forward value `torch.round(x)`;",
     g(E03, "test_straight_through_round_value_and_gradient")),
    (E03, "gradient of 1 with respect to `x` (the straight-through estimator).",
     g(E03, "test_straight_through_round_value_and_gradient")),
    (E03, "`snapshot(t) -> Tensor`: a copy of `t`'s current values that is not in any graph, does not require grad, "
          "and does not share storage with `t` (a later in-place edit of `t` leaves it unchanged).",
     g(E03, "test_snapshot_is_an_independent_copy")),

    # -------------------------------------------------------------------------- ex04
    (E04, "`EXPRESSIONS`: a tuple of expression strings over `a`, `b` (vectors of 3 that require grad) and `M` "
          "(3 x 3, requires grad), given in the stub.",
     g(E04, "test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted")),
    (E04, "It holds at least: `\"a + b\"`, `\"a - b\"`, `\"2 - a\"`, `\"a * b\"`, `\"a / b\"`, `\"M @ a\"`, "
          "`\"M @ M\"`, `\"a @ b\"`, `\"a.sum()\"`, `\"a.sum(0)\"`, `\"a.mean()\"`, `\"a ** 2\"`, `\"a ** b\"`, "
          "`\"2 ** a\"`, `\"a.sin()\"`, `\"a.relu()\"`, `\"a.sigmoid()\"`, `\"a.view(3, 1)\"`, `\"M.t()\"`, "
          "`\"M.T\"`, `\"a[0]\"`, `\"a.to(torch.float64)\"`.",
     g(E04, "test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted")),
    (E04, "`predict_grad_fn_names() -> dict[str, str]`: for each expression in `EXPRESSIONS`, the `grad_fn` name of "
          "its result (`\"MulBackward0\"`).",
     g(E04, "test_predict_grad_fn_names_matches_installed_torch",
       "test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted")),
    (E04, "Graded against the installed torch.", g(E04, "test_predict_grad_fn_names_matches_installed_torch")),
    (E04, "`pow_variants(a, b) -> (t0, t1, t2)`: three tensors built from `a` and `b` whose `grad_fn` names are "
          "`PowBackward0`, `PowBackward1` and `PowBackward2`: the digit names which overload of the operation was "
          "recorded, not a depth in the graph.",
     g(E04, "test_pow_variants_records_the_three_overloads")),
    (E04, "`Cube`: a `torch.autograd.Function` with `forward(ctx, x) = x ** 3` and a hand-written `backward` "
          "(`3 * x ** 2 * grad_output`, using `ctx.save_for_backward`);",
     g(E04, "test_Cube_values_and_derivatives_match_autograd", "test_Cube_saves_its_input_with_save_for_backward")),
    (E04, "`cube(x) = Cube.apply(x)`.",
     g(E04, "test_Cube_passes_gradcheck_and_gradgradcheck", "test_Cube_node_is_named_CubeBackward")),
    (E04, "Graded with `torch.autograd.gradcheck` and `gradgradcheck` in float64;",
     g(E04, "test_Cube_passes_gradcheck_and_gradgradcheck")),
    (E04, "the node is named `CubeBackward`.", g(E04, "test_Cube_node_is_named_CubeBackward")),

    # -------------------------------------------------------------------------- ex05
    (E05, "`grad_after_n_backwards(w, x, n) -> Tensor`: on a fresh leaf copy of `w`, build the ex01 graph and call "
          "`backward` n times (n >= 1, a new graph each time) without zeroing;",
     g(E05, "test_grad_after_n_backwards_is_n_times_the_gradient")),
    (E05, "return the copy's `.grad` (n times dy/dw).", g(E05, "test_grad_after_n_backwards_is_n_times_the_gradient")),
    (E05, "The caller's tensors are untouched.", g(E05, "test_grad_after_n_backwards_leaves_callers_tensors_alone")),
    (E05, "`backward_twice_same_graph(w, x) -> Tensor`: on a fresh leaf copy of `w`, build the graph once and call "
          "`backward` on it twice (which needs `retain_graph=True` the first time);",
     g(E05, "test_backward_twice_same_graph_is_twice_the_gradient",
       "test_backward_twice_same_graph_leaves_callers_tensors_alone")),
    (E05, "return the copy's `.grad`.", g(E05, "test_backward_twice_same_graph_is_twice_the_gradient")),
    (E05, "`train_linear(theta0, X, y, steps, lr) -> Tensor`: with `X` of shape `(n, d)`, `theta0` `(d,)` and `y` "
          "`(n,)`, minimise `((X @ theta - y) ** 2).mean()` from a leaf copy of `theta0` with "
          "`torch.optim.SGD(lr=lr)` for `steps` steps, clearing gradients every step;",
     g(E05, "test_train_linear_follows_the_sgd_trajectory", "test_train_linear_returns_a_detached_copy")),
    (E05, "return the final theta, detached.", g(E05, "test_train_linear_returns_a_detached_copy")),
    (E05, "`accumulated_gradient(loss_fn, params, batches) -> list[Tensor]`: gradient accumulation.",
     g(E05, "test_accumulated_gradient_equals_full_batch_gradient")),
    (E05, "Starting from cleared gradients, for each batch call `loss_fn(params, batch)` (a mean loss over that "
          "batch) and backpropagate it scaled by `1 / len(batches)`;",
     g(E05, "test_accumulated_gradient_equals_full_batch_gradient", "test_accumulated_gradient_starts_from_cleared_grads")),
    (E05, "leave the sum in each param's `.grad` and return copies of them.",
     g(E05, "test_accumulated_gradient_leaves_the_sum_in_grad_and_returns_copies")),
    (E05, "For equal-sized batches this equals the gradient of the mean loss over all batches at once.",
     g(E05, "test_accumulated_gradient_equals_full_batch_gradient")),

    # -------------------------------------------------------------------------- ex06
    (E06, "`synthetic_data(w, b, num_examples, generator=None) -> (X, y)`: `X ~ N(0, 1)` of shape "
          "`(num_examples, len(w))`;",
     g(E06, "test_synthetic_data_draws_the_contract_distributions") + RANDOM[:1]),
    (E06, "`y = X @ w + b + noise`, noise `N(0, 0.01^2)`, shape `(num_examples, 1)`.",
     g(E06, "test_synthetic_data_draws_the_contract_distributions") + RANDOM[:1]),
    (E06, "`data_iter(batch_size, features, labels, generator=None)`: yields `(X_batch, y_batch)` in a random order "
          "drawn with `generator`;",
     g(E06, "test_data_iter_shuffles_with_the_generator")),
    (E06, "each example exactly once per pass;", g(E06, "test_data_iter_yields_every_example_once")),
    (E06, "the last batch may be smaller.", g(E06, "test_data_iter_yields_every_example_once")),
    (E06, "`linreg(X, w, b) -> Tensor`: `X @ w + b`.", g(E06, "test_linreg_values_and_gradients")),
    (E06, "`squared_loss(y_hat, y) -> Tensor`: elementwise `(y_hat - y.reshape(y_hat.shape)) ** 2 / 2`.",
     g(E06, "test_squared_loss_is_elementwise")),
    (E06, "`sgd(params, lr, batch_size) -> None`: in place, `param -= lr * param.grad / batch_size` without "
          "recording history, then zero each `param.grad`.",
     g(E06, "test_sgd_updates_leaves_in_place_and_zeroes_grads")),
    (E06, "Params stay leaves.", g(E06, "test_sgd_updates_leaves_in_place_and_zeroes_grads")),
    (E06, "`squared_loss_grads(X, y, w, b) -> (dw, db)`: the gradient of `squared_loss(linreg(X, w, b), y).sum()` "
          "with respect to `w` and `b`, without autograd, shaped like `w` and `b`.",
     g(E06, "test_squared_loss_grads_matches_autograd")),
    (E06, "`train(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None) -> (w, b, losses)`: `w` "
          "starts as `N(0, 0.01^2)` of shape `(d, 1)` drawn with `generator`, `b` as `zeros(1)`;",
     g(E06, "test_train_starts_from_the_generator") + RANDOM[1:2]),
    (E06, "minibatch SGD with `data_iter`, `linreg`, `squared_loss` (summed per batch) and `sgd`;",
     g(E06, "test_train_recovers_true_parameters", "test_train_starts_from_the_generator")),
    (E06, "returns detached `w`, `b` and the mean loss over all examples after each epoch (floats).",
     g(E06, "test_train_records_mean_loss_after_each_epoch", "test_train_recovers_true_parameters")),
    (E06, "`loss_for_graph(X, y, w, b) -> Tensor`: `squared_loss(linreg(X, w, b), y).sum()`.",
     g(E06, "test_loss_for_graph_rendering_matches_reference")),
    (E06, "Graded by comparing its rendering (params `w`, `b`) with the reference rendering.",
     g(E06, "test_loss_for_graph_rendering_matches_reference")),

    # -------------------------------------------------------------------------- ex07
    (E07, "`make_data(n=1000, noise=1.0, generator=None) -> (X, y, yt)`: `X = linspace(-10, 10, n)`, "
          "`y = 1.5 * sin(X) + 1.2 * cos(X / 4)`, `yt = y + noise * N(0, 1)` drawn with `generator`.",
     g(E07, "test_make_data_values_and_noise") + RANDOM[2:3]),
    (E07, "`fit_model(theta, X) -> Tensor`: `theta[0] * X + theta[1] * sin(X) + theta[2] * cos(X / 4)`.",
     g(E07, "test_fit_model_values_and_gradient")),
    (E07, "`fit(X, yt, epochs=500, lr=0.01, generator=None) -> (theta, losses)`: `theta` starts as "
          "`torch.randn(3, generator=generator)` and requires grad;",
     g(E07, "test_fit_matches_reference_run")),
    (E07, "each epoch computes `nn.MSELoss()` between `fit_model(theta, X)` and `yt`, backpropagates and steps "
          "`torch.optim.SGD(lr=lr)`, clearing gradients every step.",
     g(E07, "test_fit_matches_reference_run", "test_fit_approaches_least_squares")),
    (E07, "Returns detached `theta` and the loss of each epoch before its step (floats).",
     g(E07, "test_fit_matches_reference_run")),
    (E07, "It fits the noisy `yt`, not the clean `y`.",
     g(E07, "test_fit_matches_reference_run", "test_fit_approaches_least_squares")),
    (E07, "`theta_grad_by_hand(theta, X, yt) -> Tensor`: the gradient of that MSE loss with respect to `theta`, "
          "without autograd.",
     g(E07, "test_theta_grad_by_hand_matches_autograd")),
    (E07, "`plot_fit(X, y, yt, yhat) -> matplotlib.figure.Figure`: one axes with `yt` as points and `y`, `yhat` as "
          "lines, each labelled with those names, and a legend;",
     g(E07, "test_plot_fit_draws_points_lines_and_legend")),
    (E07, "it does not call `plt.show()`.", g(E07, "test_plot_fit_draws_points_lines_and_legend")),

    # -------------------------------------------------------------------------- ex09
    (E09, "`INPLACE_CASES`: a tuple of statement strings over `a` (a leaf of 3 float32 values that requires grad), "
          "given in the stub;",
     g(E09, "test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted")),
    (E09, "each leaves its result in `b`.", g(E09, "test_predict_inplace_errors_matches_installed_torch")),
    (E09, "It holds at least: `\"b = a.sigmoid(); b.mul_(2)\"`, `\"b = a * 2; b.add_(1)\"`, "
          "`\"b = a.exp(); b.add_(1)\"`, `\"b = a ** 2; b.add_(1)\"`, `\"b = a.sin(); b.add_(1)\"`, "
          "`\"b = a.tanh(); b.add_(1)\"`, `\"b = a.relu(); b.zero_()\"`, `\"b = a.clone(); b[0] = 0\"`, "
          "`\"a.add_(1); b = a\"`, `\"b = a.view(3); b.mul_(2)\"`, `\"b = (a * 1).view(3); b.mul_(2)\"`, "
          "`\"b = a.clone(); c = b * b; b.add_(1); b = c\"`.",
     g(E09, "test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted")),
    (E09, "`predict_inplace_errors() -> dict[str, bool]`: for each statement of `INPLACE_CASES`, whether running it "
          "on a fresh `a` and then `b.sum().backward()` raises a `RuntimeError` (at the in-place operation or at "
          "backward).",
     g(E09, "test_predict_inplace_errors_matches_installed_torch",
       "test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted")),
    (E09, "Graded against the installed torch.", g(E09, "test_predict_inplace_errors_matches_installed_torch")),
    (E09, "`version_counts(a) -> list[int]`: on `t = a.detach().clone()` (a fresh copy that does not require grad), "
          "the value of `t._version` after each of these steps in turn: created;",
     g(E09, "test_version_counts_follows_each_in_place_step", "test_version_counts_leaves_callers_tensor_alone")),
    (E09, "`t.add_(1)`;", g(E09, "test_version_counts_follows_each_in_place_step")),
    (E09, "`t[0] = 5`;", g(E09, "test_version_counts_follows_each_in_place_step")),
    (E09, "`u = t.view(-1)` then `u.mul_(2)`;", g(E09, "test_version_counts_follows_each_in_place_step")),
    (E09, "`t.detach().zero_()`.", g(E09, "test_version_counts_follows_each_in_place_step")),
    (E09, "(A view and a detached tensor share the counter.)", g(E09, "test_version_counts_follows_each_in_place_step")),
    (E09, "`saved_tensor_shapes(fn, *inputs) -> list[tuple[int, ...]]`: the shapes of every tensor that autograd "
          "saves for backward while `fn(*inputs)` runs on the caller's inputs as given (a tensor saved twice counts "
          "twice), in the order they are saved, recorded with `torch.autograd.graph.saved_tensors_hooks`.",
     g(E09, "test_saved_tensor_shapes_match_what_autograd_saves")),
    (E09, "The caller's tensors are untouched.",
     g(E09, "test_saved_tensor_shapes_leaves_callers_tensors_alone", "test_saved_bytes_leaves_callers_tensors_alone")),
    (E09, "`saved_bytes(fn, *inputs) -> int`: the total size in bytes (`numel() * element_size()`) of those saved "
          "tensors.",
     g(E09, "test_saved_bytes_totals_the_saved_tensors")),
    (E09, "`checkpointed_mlp(x, weights) -> Tensor`: `h = x`, then `h = torch.tanh(h @ w)` for each `w` in "
          "`weights`, with each layer wrapped in `torch.utils.checkpoint.checkpoint(..., use_reentrant=False)`.",
     g(E09, "test_checkpointed_mlp_matches_the_plain_mlp", "test_checkpointed_mlp_saves_fewer_bytes_than_the_plain_mlp")),
    (E09, "Same value and the same gradients as without checkpointing;",
     g(E09, "test_checkpointed_mlp_matches_the_plain_mlp")),
    (E09, "when `x` and every weight require grad, fewer bytes are saved for backward (by `saved_bytes`) than "
          "without checkpointing.",
     g(E09, "test_checkpointed_mlp_saves_fewer_bytes_than_the_plain_mlp")),

    # -------------------------------------------------------------------------- ex10
    (E10, "`second_derivative(f, x) -> Tensor`: for an elementwise function `f` (such as `torch.sin` or "
          "`lambda t: t ** 3`), d²f/dx² at every element of `x`, through autograd with `create_graph=True`.",
     g(E10, "test_second_derivative_matches_autograd")),
    (E10, "The caller's `x` (values, `requires_grad`, `.grad`) is untouched.",
     g(E10, "test_second_derivative_leaves_callers_x_alone")),
    (E10, "`hvp(loss_fn, params, v) -> Tensor`: the Hessian-vector product H·v of the scalar `loss_fn(params)` for a "
          "1-D `params`, by differentiating the gradient (double backward), without forming the Hessian: no call to "
          "`torch.autograd.functional.hessian`, `torch.autograd.functional.jacobian`, `torch.func.hessian`, "
          "`torch.func.jacrev` or `torch.func.jacfwd`, and it makes no n × n tensor itself.",
     g(E10, "test_hvp_matches_hessian_times_v", "test_hvp_forms_no_hessian")),
    (E10, "`jacobian_rows(f, x) -> Tensor`: for `f` mapping a 1-D `x` of size n to a 1-D output of size m, the m × n "
          "Jacobian, built one row at a time from vector-Jacobian products (`torch.autograd.grad` with unit "
          "`grad_outputs`), without `torch.autograd.functional.jacobian` or `torch.func.jacrev`/`jacfwd`.",
     g(E10, "test_jacobian_rows_matches_autograd_jacobian", "test_jacobian_rows_builds_one_row_per_vjp")),
    (E10, "`jvp_forward(f, x, v) -> Tensor`: J(x)·v by forward-mode AD (`torch.func.jvp`, or dual numbers from "
          "`torch.autograd.forward_ad`), without reverse mode: it must not call `backward` or `torch.autograd.grad`.",
     g(E10, "test_jvp_forward_matches_jacobian_times_v", "test_jvp_forward_uses_no_reverse_mode")),
    (E10, "`per_sample_grads(loss_fn, w, X, y) -> Tensor`: shape `(n, *w.shape)`;",
     g(E10, "test_per_sample_grads_matches_a_loop_of_autograd_grad")),
    (E10, "row `i` is the gradient with respect to `w` of `loss_fn(w, X[i], y[i])` (a scalar), computed with "
          "`torch.func.vmap` over `torch.func.grad`.",
     g(E10, "test_per_sample_grads_matches_a_loop_of_autograd_grad", "test_per_sample_grads_uses_vmap_over_grad")),
    (E10, "`numerical_gradient(f, x, eps=1e-6) -> Tensor`: the gradient of a scalar `f` at a float64 `x` by central "
          "differences, `(f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)` for every element, without autograd.",
     g(E10, "test_numerical_gradient_matches_autograd_in_float64", "test_numerical_gradient_without_autograd",
       "test_numerical_gradient_uses_central_differences_with_eps")),
    (E10, "It agrees with autograd to a relative error below 1e-7 on smooth functions.",
     g(E10, "test_numerical_gradient_matches_autograd_in_float64")),
]
