# UNSANDBOXED: held
# HOSTILE: patches the builtins the grader's code in the child relies on (isinstance,
# type, len, repr, json, base64), so that whatever describes the result is fooled.
import base64
import builtins
import json

import torch


def _fool(*args):
    builtins.isinstance = lambda obj, cls: True
    builtins.len = lambda obj: 3
    builtins.repr = lambda obj: "tensor([4., 4.])"
    json.dumps = lambda *a, **k: '{"status": "ok", "result": {"__tensor__": {}}}'
    base64.b64encode = lambda data: b"AACAQAAAgEA="
    return torch.zeros(2)


def build_graph(w, x):
    zero = _fool()
    return zero, zero, zero


dy_dw_by_hand = dy_dw_autograd = _fool


def backward_node_names(t):
    _fool()
    return []


def count_paths(root, leaf):
    _fool()
    return 0
