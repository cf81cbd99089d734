"""Isolating student code: bubblewrap around the grading worker and the notebook kernels.

Student code runs in one of two places: the grading worker (``grading.runtime.zygote``, which
forks once per call) and, for ``course autograde``, nbgrader's notebook kernels. Both
are started inside a bubblewrap sandbox (``bwrap``, Debian's ``bubblewrap``) that sees

- the system (``/usr``, the ``/lib`` links, a few files of ``/etc``), Python's prefixes
  and the ``grading`` package, all read-only;
- a private, size-capped tmpfs as its only writable folder (the scratch folder);
- no network (a network namespace of its own), no other processes (a pid namespace of
  its own), and nothing else of the course: not ``solutions/``, not ``tests/``, not
  the gradebook, not other students' submissions.

The worker never sees the submission folder itself: the grader copies the folder's
regular files (never following a link) into the sandbox's scratch folder, wiping the
previous copy and everything the previous submission left behind first.

A root grader (CI, containers) would leave student code running as root, for whom
the kernel ignores RLIMIT_NPROC. There the sandbox starts without a user namespace,
keeps only CAP_SETUID and CAP_SETGID, and the process inside drops to a uid of its own
(no capabilities, no_new_privs) before any student code runs, so the process limit
holds. A non-root grader gets a user namespace from bwrap instead.

Where bubblewrap is missing or cannot start (macOS, a locked-down container), a student's
own checks still work and one warning says what protection is missing; ``course
autograde``, which runs everyone's code, stops instead (:func:`required_for_autograde`). ``GRADING_SANDBOX`` picks:
``auto`` (the default: the sandbox when it works), ``bwrap`` (the sandbox or an error)
or ``off``.

Notebook kernels: :func:`install_kernelspec` writes a kernelspec whose argv runs
``python -m grading.runtime.sandbox kernel ...``, which launches ipykernel inside the sandbox
with resource limits. With ``KernelManager.transport = "ipc"`` the kernel gets no
network at all; with TCP it must share the host's network to reach the notebook
client (see ``README.md``, Security model).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Iterable, Iterator

from grading import settings
from grading.settings import COURSE_ROOT, PACKAGE_DIR

ENV = "GRADING_SANDBOX"
OFF = ("off", "none", "no", "0", "false", "disabled")
REQUIRED = ("bwrap", "on", "required", "1", "yes", "true")

#: Prefix of a sandboxed kernel's private folder (its sockets), in the temporary folder.
KERNEL_FOLDER = "grading-kernel-"

#: Size of the sandbox's only writable folder (student files, output capture).
SCRATCH_BYTES = 256 * 1024 * 1024

#: Environment variables that pass into the sandbox (everything else is dropped:
#: the grader's environment may hold tokens and passwords).
PASS_ENV = ("LANG", "LANGUAGE", "TZ", "TERM", "PYTHONWARNINGS", "PYTHONHASHSEED", "MPLBACKEND",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "GRADING_GRADERS",
            "GRADING_PICTURES")
PASS_ENV_PREFIXES = ("LC_", "GRADING_WALL", "GRADING_CPU", "GRADING_MEMORY", "GRADING_OUTPUT",
                     "GRADING_PROCESSES")

#: What the sandbox does not take away, said once when it is missing.
MISSING = ("student code runs with your rights: it can read and change your files (solutions, "
           "hidden tests, the gradebook, other submissions), reach the network, and the process "
           "limit is not enforced")

ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf",
             "host.conf", "hosts", "alternatives", "fonts", "mime.types", "os-release")



class SandboxWarning(UserWarning):
    """Student code is graded without (part of) the sandbox."""


class SandboxUnavailable(RuntimeError):
    """GRADING_SANDBOX=bwrap, but bubblewrap cannot run here."""


# ------------------------------------------------------------------ availability


def requested() -> str:
    """``off``, ``bwrap`` (required) or ``auto``, from $GRADING_SANDBOX."""
    value = os.environ.get(ENV, "auto").strip().lower()
    if value in OFF:
        return "off"
    if value in REQUIRED:
        return "bwrap"
    return "auto"


def bwrap_path() -> str | None:
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str, euid: int) -> str | None:
    """None when a sandbox like the real one starts here, else why not (one line)."""
    true = shutil.which("true") or "/bin/true"
    argv = [*_namespaces(bwrap, share_net=False, new_session=True), *_system_binds(), "--", true]
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap did not start: {exc}"
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap cannot create a sandbox here ({lines[-1] if lines else done.returncode})"
    return None


def unavailable_reason() -> str | None:
    """None when the sandbox can be used, else why not."""
    bwrap = bwrap_path()
    if bwrap is None:
        where = "bubblewrap is Linux-only" if not sys.platform.startswith("linux") else \
            "bubblewrap (bwrap) is not installed; apt install bubblewrap"
        return where
    return _probe(bwrap, os.geteuid())


_warned = False


def _warn_once(reason: str) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    # warn_explicit with a made-up file name prints exactly one line, and pytest
    # still collects it into its warnings summary.
    warnings.warn_explicit(f"grading without a sandbox ({reason}): {MISSING}", SandboxWarning,
                           filename="grading-sandbox", lineno=0)


def enabled() -> bool:
    """Whether student code should run sandboxed; warns once when it cannot."""
    mode = requested()
    if mode == "off":
        _warn_once(f"{ENV}={os.environ.get(ENV)}")
        return False
    reason = unavailable_reason()
    if reason is None:
        return True
    if mode == "bwrap":
        raise SandboxUnavailable(f"{ENV}={os.environ.get(ENV)} but {reason}")
    _warn_once(reason)
    return False


def check_for_autograde() -> bool:
    """Whether autograde will grade in the sandbox: True where it can run, False (with the
    sandbox's warning) under ``GRADING_SANDBOX=off``; else :class:`SandboxUnavailable`."""
    if requested() == "off":
        _warn_once(f"{ENV}={os.environ.get(ENV)}")
        return False
    reason = unavailable_reason()
    if reason is not None:
        raise SandboxUnavailable(f"{reason}. Autograding runs every submission's code, and does not do so "
                                 f"outside the sandbox; to grade without it anyway, set {ENV}=off")
    return True


@contextlib.contextmanager
def required_for_autograde() -> Iterator[None]:
    """``course autograde`` runs the code of every submission it grades, so there the
    sandbox is required unless ``GRADING_SANDBOX=off`` says otherwise, in so many words.
    (A student's own ``course check`` runs only the student's own code, and may go on
    without it, with a warning.)

    Raises :class:`SandboxUnavailable` before the block where it cannot run. In the block,
    ``GRADING_SANDBOX`` is ``bwrap`` for every process started (kernel launchers, the
    verification process, Dask's local workers), so a sandbox that stops working part-way
    fails there rather than letting one submission run without it."""
    if not check_for_autograde():
        yield
        return
    previous = os.environ.get(ENV)
    os.environ[ENV] = "bwrap"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous


# ------------------------------------------------------------------ the command line


_uids = __import__("itertools").count()


def sandbox_uid() -> tuple[int, int] | None:
    """A fresh uid/gid for a sandbox started by a root grader (else None).

    One uid per sandbox, so that its process limit counts only its own processes.
    No account needs to exist for it.
    """
    if os.geteuid() != 0:
        return None
    uid = 1_600_000_000 + (os.getpid() % 4_000_000) * 100 + next(_uids) % 100
    return uid, uid


def _namespaces(bwrap: str, *, share_net: bool, new_session: bool) -> list[str]:
    argv = [bwrap, "--die-with-parent", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox"]
    if not share_net:
        argv.append("--unshare-net")
    if new_session:
        argv.append("--new-session")  # no controlling terminal to push keystrokes into
    if os.geteuid() == 0:
        # No user namespace (it would map everything to uid 0, for which RLIMIT_NPROC
        # does not count); the process inside drops to sandbox_uid() itself.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user"]
    return argv


def _system_binds(mounts: "_Mounts | None" = None) -> list[str]:
    mounts = mounts or _Mounts()
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            mounts.argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            mounts.bind(top)
    for name in ETC_FILES:
        path = f"/etc/{name}"
        if os.path.exists(path):
            mounts.bind(path)
    mounts.argv += ["--dev", "/dev", "--proc", "/proc"]
    for device in sorted(Path("/dev").glob("nvidia*")):  # GPUs, where there are any
        mounts.argv += ["--dev-bind", str(device), str(device)]
    return mounts.argv


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def python_paths() -> list[str]:
    """Folders the interpreter needs: its prefixes and site-packages (real paths)."""
    import site

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), os.path.dirname(os.path.abspath(sys.executable))}
    try:
        paths.update(site.getsitepackages())
        if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
            paths.add(site.getusersitepackages())
    except AttributeError:  # some virtualenvs lack getsitepackages
        pass
    # Folders of installed packages that a .pth file put on sys.path (a shared environment's
    # site-packages, a conda develop path): they hold *.dist-info. The course's own folders
    # (which may be on sys.path too, under pytest) hold none, so they stay out of the sandbox.
    for entry in sys.path:
        try:
            if entry and os.path.isdir(entry) and any(n.endswith(".dist-info") for n in os.listdir(entry)):
                paths.add(entry)
        except OSError:
            continue
    real = {os.path.realpath(p) for p in paths if p and os.path.isdir(p)}
    real |= {os.path.abspath(p) for p in paths if p and os.path.isdir(p)}
    return _outermost(real)


def _outermost(paths: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(_inside(path, k) for k in kept):
            kept.append(path)
    return kept


class _Mounts:
    """bwrap mount arguments, creating parent folders world-traversable (bwrap makes them 0700)."""

    def __init__(self):
        self.argv: list[str] = []
        self._dirs = {"/"}

    def _parents(self, dest: str) -> None:
        parts = Path(dest).parts
        for i in range(2, len(parts)):
            parent = str(Path(*parts[:i]))
            if parent not in self._dirs:
                self._dirs.add(parent)
                self.argv += ["--perms", "0755", "--dir", parent]

    def bind(self, source: str, dest: str | None = None, *, writable: bool = False) -> None:
        dest = dest or source
        self._parents(dest)
        self._dirs.add(dest)
        self.argv += ["--bind" if writable else "--ro-bind", source, dest]

    def tmpfs(self, dest: str, *, size: int | None = None, perms: str = "1777") -> None:
        self._parents(dest)
        self._dirs.add(dest)
        self.argv += ["--perms", perms] + (["--size", str(size)] if size else []) + ["--tmpfs", dest]


def _env(scratch: str, extra: dict[str, str], ids: tuple[int, int] | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k in PASS_ENV or k.startswith(PASS_ENV_PREFIXES)}
    python_bin = os.path.dirname(os.path.abspath(sys.executable))
    env.update({
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{scratch}/home", "TMPDIR": f"{scratch}/tmp", "MPLCONFIGDIR": f"{scratch}/home/.matplotlib",
        "XDG_CACHE_HOME": f"{scratch}/home/.cache", "IPYTHONDIR": f"{scratch}/home/.ipython",
        "USER": "student", "LOGNAME": "student", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(PACKAGE_DIR.parent), "GRADING_SCRATCH": scratch, "GRADING_SANDBOXED": "1",
    })
    if ids is not None:
        env["GRADING_SANDBOX_UID"], env["GRADING_SANDBOX_GID"] = map(str, ids)
    env.update(extra)
    argv = ["--clearenv"]
    for key, value in sorted(env.items()):
        argv += ["--setenv", key, value]
    return argv


def bwrap_argv(*, scratch: str, readable: Iterable[str | Path] = (), writable: Iterable[str | Path] = (),
               share_net: bool = False, new_session: bool = True, chdir: str | None = None,
               env: dict[str, str] | None = None, scratch_bytes: int = SCRATCH_BYTES,
               ids: tuple[int, int] | None = None) -> list[str]:
    """The bwrap command line (up to ``--``) for running student code.

    ``scratch`` is the path of the private tmpfs inside the sandbox; ``readable`` and
    ``writable`` are host folders or files shown at the same path. ``ids``: the
    uid/gid a root grader's sandbox drops to (default: a fresh :func:`sandbox_uid`).
    """
    bwrap = bwrap_path()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    mounts = _Mounts()
    _system_binds(mounts)
    course = str(COURSE_ROOT)
    python = python_paths()
    outside = [p for p in python if not _inside(p, course)]
    for path in outside:
        mounts.bind(path)
    if any(_inside(course, p) for p in outside):
        mounts.tmpfs(course, perms="0755")  # a Python prefix above the course: hide the course
    for path in python:
        if _inside(path, course):
            mounts.bind(path)  # a virtualenv inside the course folder
    mounts.bind(str(PACKAGE_DIR))
    for path in readable:
        mounts.bind(os.path.realpath(path))
    for path in writable:
        mounts.bind(os.path.realpath(path), writable=True)
    mounts.tmpfs(scratch, size=scratch_bytes)
    argv = [*_namespaces(bwrap, share_net=share_net, new_session=new_session), *mounts.argv,
            # The tree built above is read-only; only the scratch tmpfs (and any
            # `writable`) accept writes. /dev too, or its tmpfs could fill memory.
            "--remount-ro", "/", "--remount-ro", "/dev",
            *_env(scratch, env or {}, ids or sandbox_uid()), "--chdir", chdir or scratch]
    return argv


def zygote_command(scratch: str) -> list[str]:
    """The command that starts the grading worker inside the sandbox."""
    return [*bwrap_argv(scratch=scratch, env={"MPLBACKEND": "Agg"}), "--",
            sys.executable, "-m", "grading.runtime.zygote"]


# ------------------------------------------------------------------ inside the sandbox


def inside() -> bool:
    """True in a process started by this module inside the sandbox."""
    return settings.inside_sandbox()


def drop_privileges() -> None:
    """Become the sandbox's own uid (root graders only); no capabilities, no_new_privs.

    Called inside the sandbox before any student code runs. Everything the process
    has already imported stays usable.
    """
    ids = settings.sandbox_ids()
    if ids is None or os.geteuid() != 0:
        return
    uid, gid = ids
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # clears every capability
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS (bwrap sets it too)
    except (OSError, AttributeError):
        pass
    if os.getuid() == 0 or os.geteuid() == 0:
        raise RuntimeError("could not drop root inside the sandbox")


def in_own_pid_namespace() -> bool:
    """Whether this process is the command bwrap started in a pid namespace of its own.

    Only then may it kill(-1): every process it can see is the student's.
    """
    return inside() and os.getppid() == 1 and os.getpid() < 10


def prepare_scratch(scratch: str) -> None:
    for sub in ("home", "tmp", "home/.matplotlib", "home/.cache", "home/.ipython"):
        os.makedirs(os.path.join(scratch, sub), exist_ok=True)


# ------------------------------------------------------------------ submission copies


#: Caps on what is copied from a submission folder into the sandbox.
COPY_MAX_FILES = 2000
COPY_MAX_BYTES = 64 * 1024 * 1024
_SKIP_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", ".hg", ".svn", "node_modules"}


def snapshot(folder: str | Path) -> tuple[str, list[tuple[str, int]]]:
    """A key that changes when the folder's files change, and the files to copy.

    Only regular files count: links are never followed (a link to ``solutions/`` must
    not carry the solutions into the sandbox). ``.py`` files come first; other files
    as long as the caps allow.
    """
    import hashlib

    root = os.path.realpath(folder)
    found: list[tuple[str, int, int]] = []
    stack = [(root, 0)]
    while stack and len(found) < COPY_MAX_FILES:
        here, depth = stack.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth < 6 and entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                    stack.append((entry.path, depth + 1))
            elif stat.S_ISREG(info.st_mode):
                found.append((os.path.relpath(entry.path, root), info.st_size, info.st_mtime_ns))
    found.sort(key=lambda f: (not f[0].endswith(".py"), f[1], f[0]))
    chosen, total = [], 0
    for rel, size, mtime in found[:COPY_MAX_FILES]:
        if total + size > COPY_MAX_BYTES:
            continue
        total += size
        chosen.append((rel, size, mtime))
    key = hashlib.sha256(repr((root, chosen)).encode()).hexdigest()[:20]
    return key, [(rel, size) for rel, size, _ in chosen]


def read_snapshot(folder: str | Path, files: list[tuple[str, int]]) -> dict[str, bytes]:
    root = os.path.realpath(folder)
    out = {}
    for rel, _ in files:
        path = os.path.join(root, rel)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        with os.fdopen(fd, "rb") as f:
            out[rel] = f.read(COPY_MAX_BYTES)
    return out


def write_snapshot(parent: str, files: dict[str, bytes]) -> str:
    """Write a submission's files into a fresh folder under ``parent`` (inside the sandbox)."""
    folder = os.path.join(parent, "submission-" + secrets.token_hex(6))
    os.makedirs(folder)
    for rel, data in files.items():
        path = os.path.normpath(os.path.join(folder, rel))
        if not _inside(path, folder):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return folder


# ------------------------------------------------------------------ notebook kernels


def install_kernelspec(prefix_dir: Path, *, readable: list[Path], writable: list[Path], limits,
                       writable_cwd_under: list[Path] = (), preload: list[str] = ("torch",)) -> str:
    """Write a kernelspec that runs ipykernel inside the sandbox, under ``limits``.

    The spec goes to ``prefix_dir/kernels/<name>/``; put ``prefix_dir`` on
    JUPYTER_PATH (see :func:`kernel_environment`) and use the returned name as the
    kernel name. ``readable`` folders are shown read-only at their own paths (the
    notebook's folder, ``tests/graders`` for ``grade()``), ``writable`` ones
    read-write. Set ``KernelManager.transport = "ipc"`` for a kernel without network.
    Where the sandbox cannot run, the kernel still runs, under the limits, and warns.

    The limits hold for the kernel as a whole: ``cpu_s`` is the CPU time of the whole
    notebook, ``memory_mb`` comes on top of what Python, torch and ipykernel take,
    ``output_bytes`` caps each file it writes; ``wall_s`` is not used (nbgrader's
    cell timeout is the kernel's wall-time limit). ``grade()`` in the kernel reads
    the public graders: keep ``tests/graders`` (or $GRADING_GRADERS) in ``readable``.
    ``preload``: modules the kernel imports before it answers (and before the limits).
    ``writable_cwd_under``: the kernel may also write in the folder it is started in,
    when that is strictly inside one of these (stock nbgrader starts each notebook's
    kernel in its own ``autograded/STUDENT/ASSIGNMENT`` folder).
    """
    prefix_dir = Path(prefix_dir)
    config = {
        "readable": [str(Path(p).resolve()) for p in readable],
        "writable": [str(Path(p).resolve()) for p in writable],
        "writable_cwd_under": [str(Path(p).resolve()) for p in writable_cwd_under],
        "limits": {k: v for k, v in vars(limits).items()},
        "preload": list(preload),
    }
    digest = __import__("hashlib").sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:10]
    name = f"grading-sandbox-{digest}"
    folder = prefix_dir / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sandbox.json").write_text(json.dumps(config, indent=1))
    spec = {
        "argv": [sys.executable, "-m", "grading.runtime.sandbox", "kernel", "--config", str(folder / "sandbox.json"),
                 "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        # Signals cannot cross into the sandbox's pid namespace; the kernel interrupts itself.
        "interrupt_mode": "message",
        "env": {"PYTHONWARNINGS": "ignore", "PYTHONPATH": str(PACKAGE_DIR.parent)},
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return name


def kernel_environment(prefix_dir: Path, base: dict | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) with ``prefix_dir`` first on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix_dir), env.get("JUPYTER_PATH")]))
    return env


def process_tempdir(prefix: str) -> str:
    """A new temporary folder named after this process (``{prefix}{pid}-...``), made after
    removing the ones left by processes of the same prefix that are gone: a grader killed
    mid-run, a worker stopped with SIGKILL, or one that ended with ``os._exit`` cannot
    clean up after itself."""
    sweep_process_tempdirs(prefix)
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")


def sweep_process_tempdirs(prefix: str) -> None:
    """Remove the ``{prefix}{pid}-...`` folders whose process no longer exists."""
    for path in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        try:
            pid = int(path.name[len(prefix):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            pass


def sweep_kernel_folders() -> None:
    """Remove the private folders of launchers that were killed before cleaning up."""
    sweep_process_tempdirs(KERNEL_FOLDER)


def _end_with_parent(signum: int) -> None:
    """Be sent ``signum`` when the process that started this one dies (Linux's
    PR_SET_PDEATHSIG), even by SIGKILL: a grader killed mid-run leaves no kernel behind."""
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request took
        os.kill(os.getpid(), signum)


def _kernel_launch(args, extra: list[str]) -> int:
    """Outside the sandbox: start the kernel in it and wait (so that we can clean up)."""
    import signal

    # SIGTERM, so that the forwarding below stops the sandbox and the cleanup runs.
    _end_with_parent(signal.SIGTERM)
    config = json.loads(Path(args.config).read_text())
    connection = json.loads(Path(args.f).read_text())
    here = os.path.realpath(os.getcwd())
    if any(_inside(here, root) and here != root for root in config.get("writable_cwd_under", [])):
        config["writable"] = [*config["writable"], here]
    # The kernel binds its sockets in a private folder; for IPC, links at the paths
    # the client expects point there, so the kernel needs no network namespace of
    # the host. (TCP kernels share the host's network: the client dials 127.0.0.1.)
    private = process_tempdir(KERNEL_FOLDER)
    ids = sandbox_uid()
    ipc = connection.get("transport") == "ipc"
    links = []
    if ipc:
        original_ip = connection["ip"]
        connection["ip"] = os.path.join(private, "sock")
        for key in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            link = f"{original_ip}-{connection[key]}"
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(f"{connection['ip']}-{connection[key]}", link)
            links.append(link)
    inner_connection = os.path.join(private, "connection.json")
    with open(inner_connection, "w") as f:
        json.dump(connection, f)
    os.chmod(private, 0o700)
    os.chmod(inner_connection, 0o600)
    sandboxed = enabled()
    if ids is not None and sandboxed:
        for path in (private, inner_connection):
            os.chown(path, *ids)
    inner = [sys.executable, "-m", "grading.runtime.sandbox", "kernel-inner", "--limits", json.dumps(config["limits"]),
             "--preload", json.dumps(config.get("preload", ["torch"])), "-f", inner_connection, *extra]
    if sandboxed:
        scratch = "/tmp/grading-kernel-scratch"
        cwd = os.getcwd()
        visible = config["readable"] + config["writable"]
        chdir = cwd if any(_inside(cwd, p) for p in visible) else scratch
        argv = [*bwrap_argv(scratch=scratch, readable=config["readable"],
                            writable=[*config["writable"], private], share_net=not ipc,
                            chdir=chdir, ids=ids), "--", *inner]
    else:
        argv = inner
    proc = subprocess.Popen(argv)

    def forward(signum, frame):
        proc.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    try:
        return proc.wait()
    finally:
        for link in links:
            try:
                os.remove(link)
            except OSError:
                pass
        shutil.rmtree(private, ignore_errors=True)


def set_rlimits(limits: dict, *, address_space_base: int = 0) -> None:
    """Apply CPU, memory, file-size and process limits to this process."""
    import resource

    def cap(kind, value, hard_extra=0):
        if value is None:
            return
        value = int(value)
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value + hard_extra if hard == resource.RLIM_INFINITY else min(value + hard_extra, hard)))

    cap(resource.RLIMIT_CPU, limits.get("cpu_s") and int(limits["cpu_s"] + 0.999), hard_extra=1)
    if limits.get("memory_mb"):
        cap(resource.RLIMIT_AS, address_space_base + int(limits["memory_mb"]) * 1024 * 1024)
    cap(resource.RLIMIT_FSIZE, limits.get("output_bytes"))
    if limits.get("processes") and inside():
        # Counts all tasks of this uid; outside the sandbox that is the whole account.
        cap(resource.RLIMIT_NPROC, limits["processes"])


def virtual_size() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024


def _kernel_inner(args, extra: list[str]) -> int:
    """Inside the sandbox: limits, then ipykernel in this process."""
    limits = json.loads(args.limits)
    # The notebook's folder is the student's: nothing in it may stand in for a module imported here.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    # What the notebooks import, loaded before the limits (the memory limit comes on
    # top) and before the kernel answers: a kernel started ahead of its notebook
    # (grading.instructor.warm_kernels) has them ready when its first cell runs.
    for module in json.loads(args.preload):
        try:
            __import__(module)
        except ImportError:
            pass
    import ipykernel.kernelapp  # noqa: F401
    drop_privileges()
    if inside():
        prepare_scratch(settings.scratch_folder())
    # ipykernel's threads reserve address space of their own (8 MB stacks, zmq).
    set_rlimits(limits, address_space_base=virtual_size() + 512 * 1024 * 1024)
    from ipykernel import kernelapp

    # In the sandbox the kernel's parent is the sandbox's init (pid 1), which
    # --die-with-parent ties to the launcher; outside it, watch the launcher.
    parent = 1 if inside() else os.getppid()
    kernelapp.launch_new_instance(argv=["-f", args.f, f"--IPKernelApp.parent_handle={parent}", *extra])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.runtime.sandbox",
                                     description="Start a notebook kernel inside the grading sandbox.")
    sub = parser.add_subparsers(dest="command", required=True)
    kernel = sub.add_parser("kernel", help="(kernelspec argv) launch ipykernel in the sandbox")
    kernel.add_argument("--config", required=True)
    kernel.add_argument("-f", required=True, help="the connection file")
    inner = sub.add_parser("kernel-inner", help="(inside the sandbox) limits, then ipykernel")
    inner.add_argument("--limits", required=True)
    inner.add_argument("--preload", default='["torch"]', help="JSON list of modules to import first")
    inner.add_argument("-f", required=True)
    sub.add_parser("check", help="say whether the sandbox works here")
    args, extra = parser.parse_known_args(argv)
    if args.command == "kernel":
        return _kernel_launch(args, extra)
    if args.command == "kernel-inner":
        return _kernel_inner(args, extra)
    reason = unavailable_reason() if requested() != "off" else f"{ENV}=off"
    print("sandbox: bubblewrap works" if reason is None else f"sandbox: unavailable ({reason})")
    return 0 if reason is None else 1


if __name__ == "__main__":
    sys.exit(main())
