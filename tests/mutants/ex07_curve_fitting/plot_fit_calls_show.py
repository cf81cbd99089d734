"""Shows the figure (in a script, plt.show() blocks until the window is closed)."""
import matplotlib.pyplot as plt

CAUGHT_BY = ["test_plot_fit"]
MESSAGE = "plt.show()"


def plot_fit(X, y, yt, yhat):
    fig, ax = plt.subplots()
    ax.scatter(X, yt, s=4, label="yt")
    ax.plot(X, y, label="y")
    ax.plot(X, yhat, label="yhat")
    ax.legend()
    plt.show()
    return fig
