"""A throw-away PostgreSQL server for the tests: its own cluster in a temp folder,
listening only on a Unix socket there, started and stopped by the test session.

PostgreSQL refuses to run as root, so when the tests run as root (CI, containers)
the cluster belongs to the ``postgres`` user that Debian's package creates.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


class Unavailable(RuntimeError):
    pass


def _bindir() -> Path:
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"):
        for path in sorted(glob.glob(pattern), reverse=True):
            if (Path(path) / "initdb").exists():
                return Path(path)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise Unavailable("no PostgreSQL server binaries (initdb, pg_ctl) were found "
                      "(Debian/Ubuntu: apt-get install postgresql)")


class Server:
    """``url(database)`` gives a SQLAlchemy URL for a database of this server."""

    def __init__(self):
        self.bindir = _bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="pg-"))
        self.data = self.folder / "data"
        self.socket = self.folder  # short: a socket path has about 100 bytes
        self.port = 5432 + os.getpid() % 1000 + 1
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("the tests run as root, and PostgreSQL needs another user: "
                                  "there is no 'postgres' user (apt-get install postgresql creates it)") from None
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
            self.folder.chmod(0o700)

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        def drop():
            if self.user:
                os.setgid(self.user.pw_gid)
                os.setuid(self.user.pw_uid)

        result = subprocess.run([str(self.bindir / command[0]), *command[1:]], capture_output=True, text=True,
                                preexec_fn=drop, cwd=self.folder, timeout=120)
        if result.returncode:
            raise Unavailable(f"{command[0]} failed: {(result.stderr or result.stdout).strip().splitlines()[-1:]}")
        return result

    def start(self) -> "Server":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o",
                  f"-k {self.socket} -c listen_addresses='' -p {self.port} -c fsync=off", "start")
        return self

    def createdb(self, name: str) -> str:
        self._run("createdb", "-h", str(self.socket), "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.socket}&port={self.port}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (Unavailable, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)
