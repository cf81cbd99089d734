"""Returns the axes instead of the figure."""
import matplotlib.pyplot as plt

CAUGHT_BY = ["test_plot_fit"]
MESSAGE = "must return the matplotlib Figure"


def plot_fit(X, y, yt, yhat):
    fig, ax = plt.subplots()
    ax.scatter(X, yt, s=4, label="yt")
    ax.plot(X, y, label="y")
    ax.plot(X, yhat, label="yhat")
    ax.legend()
    return ax
