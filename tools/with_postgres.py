#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL 15 cluster, then remove the cluster.

    python tools/with_postgres.py -- pytest -q

If DATABASE_URL is already set it is used as is. Otherwise a cluster is initialised in a temporary
folder, started on a free loopback port with a Unix socket in that folder, and DATABASE_URL is set for
the command. As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
Durability is switched off (fsync, synchronous_commit): the data is thrown away afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def find_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    preferred = [c for c in candidates if "/15/" in c] or candidates
    if not preferred:
        sys.exit("PostgreSQL server binaries not found: apt-get install postgresql-15")
    return Path(preferred[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_server_user(command: Sequence[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        sys.exit("usage: with_postgres.py -- COMMAND [ARGS…]")
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(argv)

    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    log = root / "server.log"
    try:
        subprocess.run(
            as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "accord",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {root} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            as_server_user(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "accord", "accord"]
            ),
            check=True,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://accord@127.0.0.1:{port}/accord")
        process = subprocess.Popen(argv, env=env)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            return process.wait()
    finally:
        subprocess.run(
            as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
