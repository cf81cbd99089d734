"""The points are labelled y and the clean curve yt."""
import matplotlib.pyplot as plt

CAUGHT_BY = ["test_plot_fit"]
MESSAGE = "labels swapped"


def plot_fit(X, y, yt, yhat):
    fig, ax = plt.subplots()
    ax.scatter(X, yt, s=4, label="y")
    ax.plot(X, y, label="yt")
    ax.plot(X, yhat, label="yhat")
    ax.legend()
    return fig
