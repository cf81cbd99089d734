"""Labelled series, but no legend."""
import matplotlib.pyplot as plt

CAUGHT_BY = ["test_plot_fit"]
MESSAGE = "no legend"


def plot_fit(X, y, yt, yhat):
    fig, ax = plt.subplots()
    ax.scatter(X, yt, s=4, label="yt")
    ax.plot(X, y, label="y")
    ax.plot(X, yhat, label="yhat")
    return fig
