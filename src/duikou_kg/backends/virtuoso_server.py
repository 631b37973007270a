"""A throw-away Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) on 127.0.0.1, for tests and the benchmark.

``VirtuosoServer(folder).start()`` copies the packaged ``virtuoso.ini`` into ``folder``, points the database,
log, lock and transaction files there, picks free ports on 127.0.0.1, raises the result-row cap, starts
``virtuoso-t +foreground`` and waits until ``isql-vt`` answers. ``stop()`` shuts it down; the folder is the
caller's to delete. Nothing here is used by the service itself: it talks to any store through its URLs.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PACKAGE = "virtuoso-opensource-7"
USER = PASSWORD = "dba"  # the fresh database's administrator; the server listens on 127.0.0.1 only


class VirtuosoUnavailable(RuntimeError):
    """virtuoso-t / isql-vt are not installed, or the server did not come up."""


def installed() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


def packaged_ini() -> Path:
    """The example ``virtuoso.ini`` the Debian package ships (found through dpkg, not a fixed path)."""
    try:
        listing = subprocess.run(["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise VirtuosoUnavailable(f"package {PACKAGE} is not installed: {exc}") from None
    for line in listing.splitlines():
        if line.endswith("/virtuoso.ini") and Path(line).is_file():
            return Path(line)
    raise VirtuosoUnavailable(f"package {PACKAGE} ships no virtuoso.ini")


def _die_with_parent() -> None:
    """In the child: ask Linux to stop it when the process that started it ends (no orphaned servers)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _edit_ini(text: str, changes: dict[str, dict[str, str]]) -> str:
    """Set ``changes[section][key]`` in an ini text, keeping everything else (duplicate keys included)."""
    out, section, done = [], None, set()
    pending = {s: dict(keys) for s, keys in changes.items()}

    def flush(name):
        for key, value in pending.get(name, {}).items():
            if (name, key) not in done:
                out.append(f"{key} = {value}")
                done.add((name, key))

    for line in text.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            flush(section)
            section = header.group(1)
            out.append(line)
            continue
        key = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if key and section in pending and key.group(1) in pending[section]:
            if (section, key.group(1)) not in done:
                out.append(f"{key.group(1)} = {pending[section][key.group(1)]}")
                done.add((section, key.group(1)))
            continue
        out.append(line)
    flush(section)
    for name in pending:
        if not any(s == name for s, _ in done):
            out.append(f"[{name}]")
            flush(name)
    return "\n".join(out) + "\n"


class VirtuosoServer:
    def __init__(self, folder: Path, *, buffers: int = 170_000, max_rows: int = 1_000_000,
                 query_seconds: int = 120) -> None:
        self.folder = Path(folder)
        self.buffers = buffers
        self.max_rows = max_rows
        self.query_seconds = query_seconds
        self.sql_port = 0
        self.http_port = 0
        self.process: subprocess.Popen | None = None
        self.started_seconds = 0.0

    # --- addresses the service and the tests use
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return self.base + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base + "/sparql-auth"  # digest authentication; dba has SPARQL_UPDATE

    @property
    def graph_store_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def settings_overrides(self) -> dict[str, object]:
        """Keyword overrides for ``Settings.from_env`` that point the service at this server."""
        return {"sparql_url": self.sparql_url, "sparql_update_url": self.update_url,
                "graph_store_url": self.graph_store_url, "sparql_user": USER, "sparql_password": PASSWORD,
                "sparql_auth": "digest"}

    # --- life cycle
    def start(self, timeout: float = 60.0) -> "VirtuosoServer":
        if not installed():
            raise VirtuosoUnavailable("virtuoso-t / isql-vt not found: run scripts/setup.sh --test")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        db = self.folder
        ini = _edit_ini(packaged_ini().read_text(encoding="utf-8", errors="replace"), {
            "Database": {"DatabaseFile": str(db / "virtuoso.db"), "ErrorLogFile": str(db / "virtuoso.log"),
                         "LockFile": str(db / "virtuoso.lck"), "TransactionFile": str(db / "virtuoso.trx"),
                         "xa_persistent_file": str(db / "virtuoso.pxa")},
            "TempDatabase": {"DatabaseFile": str(db / "virtuoso-temp.db"),
                             "TransactionFile": str(db / "virtuoso-temp.trx")},
            "Parameters": {"ServerPort": f"127.0.0.1:{self.sql_port}", "DirsAllowed": f"., {db}",
                           "NumberOfBuffers": str(self.buffers), "MaxDirtyBuffers": str(self.buffers * 3 // 4),
                           "MaxClientConnections": "32",
                           # a MOVE of a big graph is one transaction; the default 50 MB log image aborts it
                           "TransactionAfterImageLimit": "2000000000"},
            "HTTPServer": {"ServerPort": f"127.0.0.1:{self.http_port}", "MaxClientConnections": "32",
                           "ServerThreads": "32", "MaxKeepAlives": "32"},
            "SPARQL": {"ResultSetMaxRows": str(self.max_rows), "MaxQueryExecutionTime": str(self.query_seconds),
                       "MaxQueryCostEstimationTime": "0",  # its estimates for FROM lists are wild; 0 = off
                       "MaxSortedTopRows": str(self.max_rows)},
        })
        (db / "virtuoso.ini").write_text(ini, encoding="utf-8")
        started = time.perf_counter()
        with open(db / "stdout.log", "wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                ["virtuoso-t", "+configfile", str(db / "virtuoso.ini"), "+foreground"], cwd=db,
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise VirtuosoUnavailable(f"virtuoso-t exited with {self.process.returncode}; see {db / 'virtuoso.log'}")
            if self._answers():
                self.started_seconds = time.perf_counter() - started
                return self
            time.sleep(0.3)
        self.stop()
        raise VirtuosoUnavailable(f"Virtuoso did not answer within {timeout:.0f} s")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.http_port), timeout=1):
                pass
        except OSError:
            return False
        return self.isql("select 1;", check=False).returncode == 0

    def isql(self, statements: str, *, check: bool = True, timeout: float = 3600) -> subprocess.CompletedProcess:
        result = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", USER, PASSWORD, f"exec={statements}"],
                                capture_output=True, text=True, timeout=timeout)
        if check and (result.returncode != 0 or "*** Error" in result.stdout + result.stderr):
            raise VirtuosoUnavailable(f"isql failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
        return result

    def memory_bytes(self) -> int:
        """Resident memory of the server process (VmRSS), 0 when unknown."""
        return proc_status_bytes(self.process.pid, "VmRSS") if self.process else 0

    def peak_memory_bytes(self) -> int:
        """Peak resident memory of the server process (VmHWM), 0 when unknown."""
        return proc_status_bytes(self.process.pid, "VmHWM") if self.process else 0

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.isql("shutdown;", check=False, timeout=60)
                self.process.wait(timeout=60)
            except (subprocess.TimeoutExpired, OSError):
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "VirtuosoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def proc_status_bytes(pid: int, field: str) -> int:
    """A memory field of /proc/<pid>/status (e.g. VmRSS, VmHWM) in bytes; 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
