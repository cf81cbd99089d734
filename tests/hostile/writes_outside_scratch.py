# HOSTILE: tries to leave files everywhere but its scratch folder: next to itself,
# above it, in the course (the grading package, to make the checks pass), /tmp and
# the home folder; then fails, so that only the files it left could matter.
# MARKER
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "HOSTILE_WAS_HERE"


def _targets():
    yield HERE
    yield os.path.dirname(HERE)
    yield os.path.dirname(os.path.dirname(HERE))
    try:
        import grading
        from grading.runtime.targets import COURSE_ROOT

        yield str(COURSE_ROOT)
        yield os.path.dirname(grading.__file__)
    except Exception:
        pass
    yield "/tmp"
    yield os.path.expanduser("~")
    yield "/root"
    yield "/work/main"
    yield from (p for p in sys.path if p)


def _scribble(*args):
    for folder in _targets():
        try:
            with open(os.path.join(folder, MARK), "w") as f:
                f.write("pwned")
        except OSError:
            pass
    try:
        import grading.checking.checks

        with open(grading.checking.checks.__file__, "a") as f:
            f.write("\ndef check_close(*a, **k):\n    return None\n")
    except OSError:
        pass
    raise PermissionError("could not write anywhere useful")


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _scribble
