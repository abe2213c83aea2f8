"""A throwaway PostgreSQL cluster in a temporary folder, for outage tests and ``opsnn bench chaos``.

It uses the server package's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/*/bin``), listens on
a free port of 127.0.0.1 only, trusts local connections, and is restarted or removed at will
without touching any other server. PostgreSQL refuses to run as root: as root, the cluster runs
as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ThrowawayPostgres", "throwaway_unavailable_reason"]


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def throwaway_unavailable_reason() -> str | None:
    """Why a throwaway cluster cannot start here, or None."""
    if _bin_dir() is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run a cluster as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """``with ThrowawayPostgres() as pg: pg.url; pg.restart()``."""

    def __init__(self) -> None:
        reason = throwaway_unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="opsnn-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> None:
        cmd = [*self._as, str(self.bin / args[0]), *args[1:]]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, cwd=self.root)

    def start(self) -> ThrowawayPostgres:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_s: float = 0.0) -> None:
        """Stop (closing every connection), stay down ``down_s`` seconds, start again on the same port."""
        import time

        self.stop()
        time.sleep(down_s)
        self.start()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.remove()
