"""Start the real ``duikou-kg serve`` process (waitress) for a test, optionally under a Python audit hook.

``serve(root, data_dir)`` yields a ``RealServer`` with its base URL. With ``audit_port`` / ``audit_paths``
the process runs with ``sys.addaudithook`` installed before anything is imported: every ``socket.connect``,
every ``urllib.Request`` and every ``open`` of a watched path is written to ``server.audit_log``; a test
then asserts that log is empty. (The audit hook sees Python code only; what the Rust query engine does is
proven with a TCP listener that must receive nothing: ``Listener``.)
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from duikou_kg.processes import stop_process

START_TIMEOUT = 120

_BOOTSTRAP = r"""
import os, sys
_log = open(os.environ["DUIKOU_KG_TEST_AUDIT_LOG"], "a", buffering=1)
_paths = tuple(p for p in os.environ.get("DUIKOU_KG_TEST_AUDIT_PATHS", "").split(os.pathsep) if p)
def _hook(event, args):
    if event == "socket.connect":
        # the query worker pool's own forkserver socket (multiprocessing's private pymp- folder) is IPC
        if not (isinstance(args[1], str) and "/pymp-" in args[1]):
            _log.write(f"connect {args[1]!r}\n")
    elif event == "urllib.Request":
        _log.write(f"urllib {args[0]}\n")
    elif event == "open" and args and isinstance(args[0], (str, bytes)):
        name = os.fsdecode(args[0])
        if any(name.endswith(p) for p in _paths):
            _log.write(f"open {name}\n")
sys.addaudithook(_hook)
from duikou_kg.cli import main
sys.argv = ["duikou-kg", *sys.argv[1:]]
main()
"""


@dataclass
class RealServer:
    base: str
    process: subprocess.Popen
    data_dir: Path
    log_path: Path
    audit_log: Path | None

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.base.removeprefix("http://").split(":")
        return host, int(port)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request (no client-side encoding or header magic): status, headers, body."""
        host, port = self.host_port
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def audit_events(self) -> list[str]:
        if self.audit_log is None or not self.audit_log.exists():
            return []
        return self.audit_log.read_text(encoding="utf-8").splitlines()

    def alive(self) -> bool:
        return self.process.poll() is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(root: Path, data_dir: Path, *, env: dict[str, str] | None = None, threads: int = 4,
          audit_paths: tuple[str, ...] | None = None) -> Iterator[RealServer]:
    """Run ``duikou-kg serve`` on a free loopback port until the block ends (SIGTERM, then kill)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log_path = data_dir / "server.log"
    audit_log = data_dir / "audit.log" if audit_paths is not None else None
    environment = {**os.environ, "DUIKOU_KG_ROOT": str(root), "DUIKOU_KG_DATA_DIR": str(data_dir), **(env or {})}
    arguments = ["serve", "--port", str(port), "--threads", str(threads)]
    if audit_log is not None:
        environment["DUIKOU_KG_TEST_AUDIT_LOG"] = str(audit_log)
        environment["DUIKOU_KG_TEST_AUDIT_PATHS"] = os.pathsep.join(audit_paths)
        command = [sys.executable, "-c", _BOOTSTRAP, *arguments]
    else:
        script = Path(sys.executable).with_name("duikou-kg")
        command = [str(script), *arguments] if script.exists() else [sys.executable, "-m", "duikou_kg.cli", *arguments]
    log = log_path.open("wb")
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    server = RealServer(f"http://127.0.0.1:{port}", process, data_dir, log_path, audit_log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited: " + server.log_text())
            with contextlib.suppress(OSError):
                status, _, _ = server.request("GET", "/sparql", timeout=2)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer: " + server.log_text())
            time.sleep(0.2)
        if audit_log is not None:  # what start-up did (building, reading files) is not under test
            audit_log.write_text("", encoding="utf-8")
        yield server
    finally:
        stop_process(process)
        log.close()


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives (it must receive none)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


