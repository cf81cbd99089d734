"""Forgets to pass lr on, so fit trains with its default lr=0.01."""
# fit: ex07's, imported by the module this is appended to.

CAUGHT_BY = ["test_fit_on"]
MESSAGE = "lr was not passed on"


def fit_on(device, X, yt, epochs=500, lr=0.01, generator=None):
    theta, losses = fit(X.to(device), yt.to(device), epochs=epochs, generator=generator)
    return theta.cpu(), losses
