"""A throwaway PostgreSQL server for the archive tests.

``IBM_ENGINE_PG_URL`` set: that server is used as it is. Otherwise a new cluster is made with
the machine's ``initdb`` and started with ``pg_ctl`` on a free port of 127.0.0.1, in a temporary
directory; as root, both run as the ``postgres`` OS user (created when missing), which owns
that directory. The cluster is stopped and deleted at the end of the session.

Where no server can be had, :func:`postgres_url` says why; the tests then skip with that
reason, except when ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["postgres_server"]

_BIN_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
             "/usr/lib/postgresql/17/bin")  # fmt: skip
_USER = "postgres"


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in _BIN_DIRS:
        if (Path(d) / name).is_file():
            return str(Path(d) / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(cmd: list[str]) -> list[str]:
    """``cmd`` as the postgres user when run as root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", _USER], check=True)
    return ["runuser", "-u", _USER, "--", *cmd]


@contextmanager
def postgres_server() -> Iterator[tuple[str | None, str]]:
    """(url, "") of a running server, or (None, why there is none)."""
    url = os.environ.get("IBM_ENGINE_PG_URL")
    if url:
        yield url, ""
        return
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        yield None, "no PostgreSQL binaries (initdb, pg_ctl) and IBM_ENGINE_PG_URL is not set"
        return
    root = Path(tempfile.mkdtemp(prefix="ibm-engine-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        _as_user(["true"])  # creates the user when missing
        entry = pwd.getpwnam(_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        steps = [
            [initdb, "-D", str(data), "-U", _USER, "-A", "trust", "-E", "UTF8", "--no-sync"],
            [pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
             f"-p {port} -k {root} -h 127.0.0.1 -F", "start"],
        ]  # fmt: skip
        for cmd in steps:
            done = subprocess.run(_as_user(cmd), capture_output=True, text=True, check=False)
            if done.returncode != 0:
                log = root / "log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                yield None, f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-500:]} {tail}"
                return
            started = cmd[0] == pg_ctl
        yield f"postgresql://{_USER}@127.0.0.1:{port}/postgres", ""
    finally:
        if started:
            subprocess.run(
                _as_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
