"""Does not pass the generator on, so theta starts from the global random state."""
# fit: ex07's, imported by the module this is appended to.

CAUGHT_BY = ["test_fit_on"]
MESSAGE = "pass the generator on"


def fit_on(device, X, yt, epochs=500, lr=0.01, generator=None):
    theta, losses = fit(X.to(device), yt.to(device), epochs=epochs, lr=lr)
    return theta.cpu(), losses
