# UNSANDBOXED: cheats
# HOSTILE: looks for the answer key and copies it: solutions/ex01_graphs.py (found
# through the grading package, sys.path, the environment or by walking up), another
# student's submission next to its own folder, the hidden tests, the gradebook.
# Without a sandbox it would find the solutions and earn every point.
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STOLEN = {}


def _candidates():
    roots = set()
    try:
        from grading.runtime.targets import COURSE_ROOT

        roots.add(str(COURSE_ROOT))
    except Exception:
        pass
    roots.update(p for p in sys.path if p)
    roots.update(v for v in os.environ.values() if v.startswith("/"))
    here = HERE
    for _ in range(8):
        roots.add(here)
        here = os.path.dirname(here)
    roots.update(["/work/main", os.path.expanduser("~"), "/tmp", "/"])
    for root in roots:
        for up in (root, os.path.dirname(root)):
            yield os.path.join(up, "solutions", "ex01_graphs.py")
    # Other students' submissions: siblings of this folder.
    yield from glob.glob(os.path.join(os.path.dirname(HERE), "*", "ex01_graphs.py"))


for path in _candidates():
    if os.path.abspath(path) == os.path.abspath(__file__):
        continue
    try:
        with open(path) as f:
            source = f.read()
    except OSError:
        continue
    if "def build_graph" in source and "HOSTILE" not in source:
        STOLEN["path"] = path
        exec(compile(source, path, "exec"), globals())
        break

for secret in ("tests/graders/test_ex01_graphs.py", "gradebook.db", "source/ex01_graphs/ex01_graphs.ipynb"):
    for root in ("/work/main", os.path.dirname(os.path.dirname(HERE))):
        try:
            with open(os.path.join(root, secret), "rb") as f:
                STOLEN[secret] = f.read(100)
        except OSError:
            pass

if "path" not in STOLEN:
    def _nothing(*args):
        raise LookupError("nothing to copy")

    build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _nothing
