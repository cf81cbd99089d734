"""Forgets to pass epochs on, so fit always trains for 500 epochs."""
# fit: ex07's, imported by the module this is appended to.

CAUGHT_BY = ["test_fit_on"]
MESSAGE = "pass epochs on"


def fit_on(device, X, yt, epochs=500, lr=0.01, generator=None):
    theta, losses = fit(X.to(device), yt.to(device), lr=lr, generator=generator)
    return theta.cpu(), losses
