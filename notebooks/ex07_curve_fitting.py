# %% [markdown]
# # ex07 · Fitting a curve with `torch.optim`
#
# **By the end of this notebook you will be able to**
# - make noisy measurements of a known curve, reproducibly;
# - write a model that is curved in $x$ but linear in its parameters, and the gradient of its mean
#   squared error by hand;
# - write the standard PyTorch training loop with `nn.MSELoss` and `torch.optim.SGD`, and say what
#   each of its four lines does;
# - plot the data, the truth and the fit as it improves, without `plt.show()` in library code;
# - recognise the bug of training on the clean curve instead of the measurements, and check where
#   gradient descent ends up against `torch.linalg.lstsq`.
#
# From ex06 we need the training loop written by hand: forward, loss, `backward`, an in-place step
# under `torch.no_grad()`, and clearing `.grad`. Here `torch.optim.SGD` (met in ex05) does the step
# and the clearing, and `nn.MSELoss` is the loss.
#
# The data come from the curve
#
# $$y = 1.5 \sin x + 1.2 \cos(x / 4)$$
#
# measured with noise: $y_t = y + \epsilon$. The model has three parameters
# $\theta = (a, b, c)$:
#
# $$\hat y = a\,x + b \sin x + c \cos(x / 4),$$
#
# so the best fit is close to $\theta = (0, 1.5, 1.2)$.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex07_curve_fitting.py` and run `pytest tests/graders -k ex07`.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn
from torchviz import make_dot

torch.__version__

# %% [markdown]
# ## 1. Measurements of a known curve
#
# **Exercise 1.** Write `make_data(n=1000, noise=1.0, generator=None)` returning `(X, y, yt)`:
# `X = torch.linspace(-10, 10, n)`, the clean curve `y = 1.5 * sin(X) + 1.2 * cos(X / 4)`, and the
# measurements `yt = y + noise * N(0, 1)`, the noise drawn with `generator`
# (`torch.randn(n, generator=generator)`), so that a seed gives the same data every time.

# %% [solution] id=make_data from=make_data

# %%
X, y, yt = make_data(generator=torch.Generator().manual_seed(0))
X.shape, y.shape, yt.shape

# %% [tests] id=test_make_data_values_and_noise points=2
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_make_data_values_and_noise")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex07_curve_fitting as ref

ref.check_make_data(student("ex07_curve_fitting").make_data, [(500, 0.5, 71), (64, 2.0, 72), (1, 1.0, 73)])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. A model that is linear in its parameters
#
# $\hat y$ curves in $x$, but each parameter only multiplies a fixed function of $x$. Stack those
# functions as the columns of a feature matrix $F$, one row $[x_i, \sin x_i, \cos(x_i/4)]$ per
# point, and the model is a matrix product, like ex06's linear regression:
#
# $$\hat{\mathbf{y}} = F\theta .$$
#
# **Exercise 2.** Write `fit_model(theta, X)`: `theta[0] * X + theta[1] * sin(X) + theta[2] * cos(X / 4)`,
# built from `theta`'s entries so that autograd records how the result depends on `theta`.

# %% [solution] id=fit_model from=fit_model

# %% [markdown]
# Indexing `theta` is an operation like any other: each `theta[k]` is a `SelectBackward0` node,
# and the three of them meet at `theta`'s single `AccumulateGrad`, which adds up what comes
# back along the three paths (ex01's sum over paths):

# %%
theta = torch.randn(3, generator=torch.Generator().manual_seed(1), requires_grad=True)
small = torch.linspace(-1, 1, 5)
make_dot(nn.MSELoss()(fit_model(theta, small), small), params={"theta": theta})

# %% [tests] id=test_fit_model_values_and_gradient points=2
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_fit_model_values_and_gradient")
### BEGIN HIDDEN TESTS
import torch

from grading.checking import checks
from grading.checking.references import ex07_curve_fitting as ref

theta_, X_ = torch.tensor([0.3, -1.0, 2.0]), torch.linspace(-7, 9, 11)
checks.check_close(student("ex07_curve_fitting").fit_model(theta_, X_), ref.model(theta_, X_), name="fit_model(theta, X of 11)")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Looking at the fit
#
# **Exercise 3.** Write `plot_fit(X, y, yt, yhat)` returning a matplotlib `Figure` with one axes:
# the measurements `yt` as points (`ax.scatter`), the curve `y` and the model's `yhat` as lines
# (`ax.plot`), each with `label=` its name, and a legend. Do **not** call `plt.show()`: a function
# that makes a figure hands it back, and the caller decides whether to show it, save it or put it
# next to others (in a script, `plt.show()` would stop everything until the window is closed).
#
# In a notebook, a figure made in a cell is shown when the cell ends. A trailing `;` keeps the
# returned `Figure` from being displayed a second time as the cell's value.

# %% [solution] id=plot_fit from=plot_fit

# %%
theta0 = torch.randn(3, generator=torch.Generator().manual_seed(1))
plot_fit(X, y, yt, fit_model(theta0, X));

# %% [tests] id=test_plot_fit_draws_points_lines_and_legend points=2
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_plot_fit_draws_points_lines_and_legend")
### BEGIN HIDDEN TESTS
from grading.checking import checks, probes
from grading.checking.references import ex07_curve_fitting as ref
from grading.checking.strategies import hidden_seed

X_, y_, yt_ = ref.data(25, 2.0, seed=hidden_seed(72))
outcome = student("ex07_curve_fitting").plot_fit.run(X_, y_, yt_, y_ * 0.5, setup=probes.count_show, probe=probes.figure_summary)
checks.expect_ok(outcome)
summary_ = outcome.probe
assert summary_["is_figure"] and not summary_["show_calls"] and len(summary_["axes"]) == 1, \
    "plot_fit: one axes in a returned Figure, and no plt.show()"
assert sorted(a["label"] for a in summary_["axes"][0]["artists"] if not a["label"].startswith("_")) == ["y", "yhat", "yt"], \
    "plot_fit: three series labelled y, yt and yhat"
### END HIDDEN TESTS

# %% [markdown]
# ## 4. The gradient by hand
#
# `nn.MSELoss()` is the **mean** of the squared residuals (ex06's loss was a sum, halved):
#
# $$L(\theta) = \frac1n \sum_i (\hat y_i - y_{t,i})^2 = \frac1n \lVert F\theta - \mathbf{y}_t \rVert^2 ,
#   \qquad \nabla_\theta L = \frac2n F^\top (F\theta - \mathbf{y}_t).$$
#
# **Exercise 4.** Write `theta_grad_by_hand(theta, X, yt)`, that gradient, **without autograd**.
# (`torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)` builds $F$.)

# %% [solution] id=theta_grad_by_hand from=theta_grad_by_hand

# %% [markdown]
# Autograd agrees:

# %%
theta = theta0.clone().requires_grad_(True)
nn.MSELoss()(fit_model(theta, X), yt).backward()
torch.allclose(theta_grad_by_hand(theta0, X, yt), theta.grad, rtol=1e-4)

# %% [tests] id=test_theta_grad_by_hand_matches_autograd points=3
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_theta_grad_by_hand_matches_autograd")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex07_curve_fitting as ref
from grading.checking.strategies import hidden_seed

checks.check_gradients(student("ex07_curve_fitting").theta_grad_by_hand, reference=ref.mse_grad,
                       inputs=ref.grad_cases(seed=hidden_seed(73)), mistakes=ref.GRAD_MISTAKES)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The training loop
#
# With `torch.optim` a step of gradient descent is four lines, in this order:
#
# ```python
# loss = loss_fn(fit_model(theta, X), yt)   # forward: builds a fresh graph
# optimizer.zero_grad()                      # clear the last step's gradient (ex05)
# loss.backward()                            # fill theta.grad
# optimizer.step()                           # theta -= lr * theta.grad, under no_grad (ex06's sgd)
# ```
#
# `zero_grad` may also come last, after `step`; what matters is that it happens between one
# `backward` and the next. `loss` was computed *before* the step, so `loss.item()` is the loss of
# the parameters the step started from.
#
# **Exercise 5.** Write `fit(X, yt, epochs=500, lr=0.01, generator=None)` returning `(theta, losses)`:
# `theta` starts as `torch.randn(3, generator=generator)` and requires grad; each epoch runs the
# four lines above with `nn.MSELoss()` and `torch.optim.SGD([theta], lr=lr)` on all the data, and
# records `loss.item()`. Return `theta` detached. It fits the **noisy `yt`** it is given.

# %% [solution] id=fit from=fit

# %%
theta, losses = fit(X, yt, generator=torch.Generator().manual_seed(1))
print("theta:", theta.tolist())
print("loss at epochs 0, 10, 100, 499:", [round(losses[i], 4) for i in (0, 10, 100, 499)])

# %% [markdown]
# The fit as it improves. Each run starts from the same seeded `theta`, so `fit(..., epochs=k)`
# gives the parameters after `k` steps:

# %%
fig, axes = plt.subplots(1, 4, figsize=(16, 3), sharey=True)
for ax, epochs in zip(axes, (1, 10, 50, 500)):
    theta_k, _ = fit(X, yt, epochs=epochs, generator=torch.Generator().manual_seed(1))
    ax.scatter(X, yt, s=2, color="0.6", label="noisy data yt")
    ax.plot(X, y, "k--", label="truth y")
    ax.plot(X, fit_model(theta_k, X), "r", label="fit yhat")
    ax.set_title(f"after {epochs} epoch" + "s" * (epochs > 1))
axes[0].legend();

# %% [markdown]
# The loss does not go to zero. It levels off near 1, the variance of the noise we added: no
# choice of $\theta$ can predict the noise, and a fit that did would be learning the measurement
# errors rather than the curve.

# %%
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(losses)
ax.axhline(1.0, color="grey", linestyle="--", label="noise variance")
ax.set_xlabel("epoch")
ax.set_ylabel("MSE loss")
ax.set_yscale("log")
ax.legend();

# %% [tests] id=test_fit_matches_reference_run points=3
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_fit_matches_reference_run")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex07_curve_fitting as ref
from grading.checking.strategies import hidden_seed
from grading.runtime.runner import Build

X_, y_, yt_ = ref.data(120, 0.7, seed=hidden_seed(74))
theta_, losses_ = student("ex07_curve_fitting").fit(X_, yt_, epochs=80, lr=0.005, generator=Build(ref.generator, (75,)))
expected_theta_, expected_losses_ = ref.run_fit(X_, yt_, 80, 0.005, 75)
checks.check_floats(losses_, expected_losses_, name="fit(epochs=80, lr=0.005): losses",
                    mistakes=ref.fit_mistakes(X_, yt_, 80, 0.005, 75))
checks.check_close(theta_, expected_theta_, name="fit(epochs=80, lr=0.005): theta")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. A bug that looks like success
#
# A training loop that computes its loss against the clean curve `y` instead of the measurements
# `yt` (an easy slip when both are global variables of the notebook) runs without an error, and
# its results look *better*:

# %%
theta_y, losses_y = fit(X, y, generator=torch.Generator().manual_seed(1))
print("fit on y :  theta", [round(v, 3) for v in theta_y.tolist()], " last loss", round(losses_y[-1], 5))
print("fit on yt:  theta", [round(v, 3) for v in theta.tolist()], " last loss", round(losses[-1], 5))

# %% [markdown]
# A loss far below the noise level, and parameters almost exactly the truth. But in a real
# problem the clean `y` is what you are trying to find; all you have are the measurements. A
# model trained on `y` has been given the answer, and its loss says nothing about how it would
# do on real data. Two habits catch this bug: give the training function only what a real
# problem would provide (here `fit` receives `yt` and nothing else), and compare the final loss
# with the noise level you expect. (The grader does the same: it hands `fit` a `yt` that differs
# from the clean curve and compares your whole loss curve with the reference's.)
#
# ## 7. Where gradient descent ends
#
# Because the model is linear in $\theta$, the loss is a quadratic bowl with one lowest point, the
# **least-squares** solution, which `torch.linalg.lstsq` computes directly:

# %%
F = torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)
best = torch.linalg.lstsq(F, yt.unsqueeze(1)).solution.squeeze(1)
best, theta

# %% [markdown]
# After 500 epochs at `lr=0.01` we are close but not there. How fast gradient descent gets there,
# and whether it gets there at all, depends on the curvature of the bowl, the eigenvalues
# $\lambda$ of the Hessian $\frac2n F^\top F$: each step shrinks the error along an eigenvector by
# the factor $|1 - \eta\lambda|$.

# %%
torch.linalg.eigvalsh(2 / len(X) * F.T @ F)

# %% [markdown]
# The $x$ column is large, so one eigenvalue is about 67: a learning rate above $2/67 \approx 0.03$
# makes $|1 - \eta\lambda| > 1$ along it, and every step overshoots further. The smallest, about
# 0.8, sets the pace: at `lr=0.02` the error shrinks by $1 - 0.02 \cdot 0.8 \approx 0.984$ per
# step, so 2000 steps leave $0.984^{2000} \approx 10^{-14}$ of it.

# %%
_, diverging = fit(X, yt, epochs=20, lr=0.04, generator=torch.Generator().manual_seed(1))
theta_long, _ = fit(X, yt, epochs=2000, lr=0.02, generator=torch.Generator().manual_seed(1))
print("lr=0.04, losses:", [f"{v:.3g}" for v in diverging[:4]], "...", f"{diverging[-1]:.3g}")
print("lr=0.02, 2000 epochs:", theta_long.tolist(), " lstsq:", best.tolist())

# %% [tests] id=test_fit_approaches_least_squares points=2
from grading.students.kernel import grade, student

grade("ex07_curve_fitting", "test_fit_approaches_least_squares")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex07_curve_fitting as ref
from grading.checking.strategies import hidden_seed
from grading.runtime.runner import Build

X_, y_, yt_ = ref.data(100, 0.5, seed=hidden_seed(76))
assert ref.distance_left(X_, yt_, 2500, 0.02, 77) < 1e-6
theta_, _ = student("ex07_curve_fitting").fit(X_, yt_, epochs=2500, lr=0.02, generator=Build(ref.generator, (77,)))
best_ = ref.least_squares(X_, yt_)
assert (theta_.value.double() - best_).abs().max() < 1e-3, f"fit on other data: theta = {theta_.value.tolist()}, lstsq gives {best_.tolist()}"
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - A model can curve in $x$ and still be linear in its parameters; then it is a matrix product
#   $F\theta$, its MSE gradient is $\frac2n F^\top(F\theta - \mathbf{y}_t)$, and its best fit is a
#   least-squares problem.
# - The training loop: forward and loss, `optimizer.zero_grad()`, `loss.backward()`,
#   `optimizer.step()`; `nn.MSELoss()` averages, and the recorded loss is that of the parameters
#   before the step.
# - A plotting function returns its `Figure` and leaves showing it to the caller.
# - Train on the measurements, never on the clean curve: a loss below the noise level is a
#   warning, not a success.
# - Gradient descent converges when the learning rate is below $2/\lambda_{\max}$, at a pace set by
#   $\lambda_{\min}$; with enough steps it lands on `torch.linalg.lstsq`'s answer.
#
# Next, **ex08_devices**: running this same fit on a GPU, and moving tensors between devices.
