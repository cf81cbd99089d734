# UNSANDBOXED: held
# HOSTILE: crashes the interpreter (a segmentation fault, as a broken extension would).
# EXPECT: crash
import ctypes


def _crash(*args):
    return ctypes.string_at(0)


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _crash
