"""yt drawn as a line, which hides the noise it is made of."""
import matplotlib.pyplot as plt

CAUGHT_BY = ["test_plot_fit"]
MESSAGE = "as points"


def plot_fit(X, y, yt, yhat):
    fig, ax = plt.subplots()
    ax.plot(X, yt, label="yt")
    ax.plot(X, y, label="y")
    ax.plot(X, yhat, label="yhat")
    ax.legend()
    return fig
