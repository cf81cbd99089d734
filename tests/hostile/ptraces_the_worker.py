# UNSANDBOXED: cheats
# HOSTILE: attaches to the grading worker that forked it with ptrace(PTRACE_ATTACH), as a
# first step to rewriting its memory (the worker makes the answers the grader reads). It
# answers correctly only when the attach worked, so the points it earns say whether it did.
# In the sandbox the attach is refused: the worker is not dumpable and runs under a uid of
# its own. Outside it, as the same user, the attach works (where Yama allows it).
import ctypes
import os

import torch

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_ATTACH, PTRACE_DETACH = 16, 17


def _attached() -> bool:
    worker = os.getppid()
    if _libc.ptrace(PTRACE_ATTACH, worker, None, None) != 0:
        return False
    os.waitpid(worker, 0x40000000)  # __WALL: the attached worker stops; let it go again
    _libc.ptrace(PTRACE_DETACH, worker, None, None)
    return True


def _only_if_attached(answer):
    def function(*args):
        if not _attached():
            raise PermissionError(f"ptrace: {os.strerror(ctypes.get_errno())}")
        return answer(*args)
    return function


def _build_graph(w, x):
    a = w + x
    b = w + 1
    return a, b, a * b


def _dy_dw_autograd(w, x):
    w = w.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(((w + x) * (w + 1)).sum(), w)
    return g


def _backward_node_names(t):
    names, seen, queue = [], set(), [t.grad_fn]
    while queue:
        node = queue.pop(0)
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        queue.extend(n for n, _ in node.next_functions)
    return names


def _count_paths(root, leaf):
    def paths(node):
        if node is None:
            return 0
        if getattr(node, "variable", None) is leaf:
            return 1
        return sum(paths(n) for n, _ in node.next_functions)
    return paths(root.grad_fn)


build_graph = _only_if_attached(_build_graph)
dy_dw_by_hand = _only_if_attached(lambda w, x: 2 * w + x + 1)
dy_dw_autograd = _only_if_attached(_dy_dw_autograd)
backward_node_names = _only_if_attached(_backward_node_names)
count_paths = _only_if_attached(_count_paths)
