"""Throwaway PostgreSQL servers for the multi-node tests and benchmark: ``initdb`` into
a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1, stopped and removed
at the end. As root (CI, this machine) they run as the ``postgres`` OS user, since the
server refuses to run as root."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BIN_DIRS = [os.environ.get("LEDGER_PG_BIN", ""), "/usr/lib/postgresql/15/bin"]


def bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None where PostgreSQL's server is not installed."""
    found = shutil.which("pg_config")
    candidates = [Path(d) for d in BIN_DIRS if d]
    if found:
        try:
            candidates.append(Path(subprocess.run([found, "--bindir"], check=False, capture_output=True, text=True).stdout.strip()))
        except OSError:
            pass
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One server: ``url(db)`` is its SQLAlchemy address."""

    def __init__(self, bindir: Path, folder: Path, *, fast: bool = True):
        self.bindir, self.folder, self.port, self.fast = bindir, folder, _free_port(), fast
        self.data = folder / "data"
        self.as_user = os.geteuid() == 0
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        opts = f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=40"
        if fast:  # a test's data is thrown away: no fsync
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(folder / "server.log"), "-w", "start")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self.as_user:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr[-2000:]}\n{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\'')
        return self.url(name)

    def stop(self) -> None:
        """Stopped at once when its data is thrown away (no shutdown checkpoint), else cleanly."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate" if self.fast else "fast", "-w", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def start(n: int, *, fast: bool = True) -> tuple[list[Cluster], Path]:
    """``n`` servers in one temporary folder (owned by ``postgres`` when run as root)."""
    bindir = bin_dir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql-15")
    root = Path(tempfile.mkdtemp(prefix="ledger-nodes-"))
    clusters: list[Cluster] = []
    try:
        for i in range(n):
            folder = root / f"pg{i}"
            folder.mkdir()
            if os.geteuid() == 0:
                pw = pwd.getpwnam("postgres")
                os.chown(root, pw.pw_uid, pw.pw_gid)
                os.chown(folder, pw.pw_uid, pw.pw_gid)
            clusters.append(Cluster(bindir, folder, fast=fast))
    except BaseException:
        stop(clusters, root)
        raise
    return clusters, root


def stop(clusters: list[Cluster], root: Path) -> None:
    for c in clusters:
        try:
            c.stop()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:  # the folder is removed all the same
            print(f"stopping the server on port {c.port}: {exc}")
    shutil.rmtree(root, ignore_errors=True)
