# UNSANDBOXED: held
# HOSTILE: floods stdout (and stderr, and a file in the scratch folder) without end.
# EXPECT: output limit
# LIMITS: output_bytes=1048576
import os
import sys

LINE = "spam " * 200 + "\n"


def build_graph(w, x):
    while True:
        print(LINE, end="")


def dy_dw_by_hand(w, x):
    while True:
        sys.stderr.write(LINE)


def dy_dw_autograd(w, x):
    while True:
        os.write(1, LINE.encode())


def backward_node_names(t):
    with open("big.log", "w") as f:
        while True:
            f.write(LINE)


count_paths = build_graph
