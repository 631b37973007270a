"""One HermiT JVM kept running, with a time limit per check and a restart when it dies.

``HermitServer.check(document)`` sends an N-Triples document (ontology and data, already prepared for
HermiT) and returns the verdict. The JVM starts on ``start()`` (or the first check) and answers a warm-up
check of ``warm_document`` (the ontology alone) at once, so that class loading and the JIT are done before
the first real request. A process that died (killed, out of memory) is replaced and the check sent again
once; a check over ``timeout`` seconds kills the process, a new one is started and warmed in the
background, and the check fails with ``HermitTimeout``. Checks are serialised (one JVM, one request at a
time). ``close()`` ends the process; a server that was never closed ends it when it is garbage-collected
or at interpreter exit.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import shutil
import subprocess
import threading
import time
import weakref
from pathlib import Path

import owlready2

from ..processes import stop_process
from .build import CLASS_NAME, JavaUnavailable, compiled_server, hermit_jar

__all__ = ["HermitFailed", "HermitServer", "HermitTimeout", "ServerAnswer"]


class HermitTimeout(RuntimeError):
    """A check ran over the time limit (the process was killed and replaced)."""


class HermitFailed(RuntimeError):
    """The process could not answer (it died twice, or its answer was unreadable)."""


@dataclasses.dataclass(frozen=True)
class ServerAnswer:
    status: str  # "consistent", "inconsistent" or "error"
    unsatisfiable: list[str]
    message: str
    seconds: float


class _Died(Exception):
    """The process closed its end of a pipe."""


def _stop(process: subprocess.Popen) -> None:
    """End ``process`` and close its pipes (EOF on stdin ends it; kill if it does not go)."""
    try:
        process.stdin.close()
    except OSError:
        pass
    stop_process(process, grace=2, ask=False)
    process.stdout.close()


class _Process:
    """One JVM and the unread part of its output."""

    def __init__(self, command: list[str]) -> None:
        self.popen = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL)
        os.set_blocking(self.popen.stdin.fileno(), False)  # writes obey the deadline too
        self.buffer = b""

    def send(self, data: bytes, deadline: float) -> None:
        fd = self.popen.stdin.fileno()
        view = memoryview(data)
        while view:
            if not select.select([], [fd], [], _remaining(deadline))[1]:
                raise TimeoutError
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                raise _Died from None
            view = view[written:]

    def receive_line(self, deadline: float) -> bytes:
        fd = self.popen.stdout.fileno()
        while b"\n" not in self.buffer:
            if not select.select([fd], [], [], _remaining(deadline))[0]:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                raise _Died
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


class HermitServer:
    """A long-lived HermiT process; see the module text. Raises ``JavaUnavailable`` when Java cannot run."""

    def __init__(self, *, timeout: float = 60.0, warm_document: bytes | None = None, java: str = "java",
                 memory_mib: int | None = None, cache: Path | None = None) -> None:
        self.timeout = timeout
        self._warm_document = warm_document
        self._java = java
        self._memory_mib = memory_mib or int(owlready2.JAVA_MEMORY)
        self._cache = cache
        self._lock = threading.Lock()
        self._process: _Process | None = None
        self._stopper: weakref.finalize | None = None
        self._warming: threading.Thread | None = None
        self._closed = False
        self.starts = 0  # processes started so far (a restart shows here)
        self.unavailable: str | None = None  # why Java cannot run, once known

    # -- life cycle ------------------------------------------------------------------------------

    def start(self, *, wait: bool = True) -> None:
        """Start the JVM and warm it; with ``wait=False`` both happen in a thread and this returns at once
        (a failure to start then shows in ``unavailable``, and checks go on to fail over to owlready2)."""
        if wait:
            with self._lock:
                self._ensure_process()
            self._warm()
        else:
            self._warming = threading.Thread(target=self._start_quietly, name="hermit-start", daemon=True)
            self._warming.start()

    def _start_quietly(self) -> None:
        try:
            with self._lock:
                self._ensure_process()  # compiles the server first if needed (javac, ≈1.5 s)
        except (JavaUnavailable, HermitFailed):
            return
        self._warm()

    def close(self) -> None:
        self._closed = True
        if not self._lock.acquire(timeout=0.5):
            process = self._process
            if process is not None:
                process.popen.kill()  # a check in flight (say, a warm-up): end it rather than wait for it
            self._lock.acquire()
        try:
            self._replace(None)
        finally:
            self._lock.release()
        warming = self._warming
        if warming is not None and warming is not threading.current_thread():
            warming.join()

    def __enter__(self) -> HermitServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.popen.pid if process is not None else None

    def _command(self) -> list[str]:
        java = shutil.which(self._java)
        if java is None:
            raise JavaUnavailable(f"{self._java} not found")
        classpath = os.pathsep.join([str(compiled_server(self._cache)), str(hermit_jar())])
        # C1 only: checks are short and many, and the C2 compiler would take a core away from the Python side
        # for minutes (measured: 0.05 s of CPU per check instead of 0.11 s); one GC thread for the same reason.
        return [java, f"-Xmx{self._memory_mib}m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss16m",
                "-cp", classpath, CLASS_NAME]

    def _ensure_process(self) -> _Process:
        """The running process, started if there is none (call with the lock held)."""
        if self._closed:
            raise HermitFailed("the HermiT server was closed")
        if self.unavailable is not None:
            raise JavaUnavailable(self.unavailable)
        if self._process is None or self._process.popen.poll() is not None:
            try:
                process = _Process(self._command())
            except (OSError, JavaUnavailable) as exc:
                self.unavailable = str(exc)  # not tried again: every check would pay for the attempt
                raise JavaUnavailable(self.unavailable) from exc
            self._replace(process)
            self.starts += 1
        return self._process

    def _replace(self, process: _Process | None) -> None:
        if self._stopper is not None:
            self._stopper()  # stops the old process (once)
        self._process = process
        # Ends the JVM with its owner, should nobody call close(): no orphaned JVM, no unclosed pipes.
        self._stopper = weakref.finalize(self, _stop, process.popen) if process is not None else None

    def _warm(self) -> None:
        if self._warm_document is not None:
            try:
                self.check(self._warm_document)
            except (HermitTimeout, HermitFailed, JavaUnavailable):
                pass  # the next real check starts or reports it

    def _warm_in_background(self) -> None:
        self._warming = threading.Thread(target=self._warm, name="hermit-warm-up", daemon=True)
        self._warming.start()

    # -- checks ----------------------------------------------------------------------------------

    def check(self, document: bytes) -> ServerAnswer:
        """HermiT's verdict on an N-Triples document (UTF-8)."""
        started = time.perf_counter()
        request = b"%d\n" % len(document) + document
        with self._lock:
            line = self._exchange(request)
        if line is None:
            self._warm_in_background()
            raise HermitTimeout(f"HermiT took longer than {self.timeout:g} s; its process was restarted")
        return _answer(line, time.perf_counter() - started)

    def _exchange(self, request: bytes) -> bytes | None:
        """The answer line, or None after a timeout (the process is then replaced). Call with the lock held."""
        for attempt in (1, 2):
            process = self._ensure_process()
            deadline = time.monotonic() + self.timeout
            try:
                process.send(request, deadline)
                return process.receive_line(deadline)
            except _Died:  # killed or crashed: one more try on a new process
                self._replace(None)
                if attempt == 2:
                    raise HermitFailed("the HermiT process ended twice while checking") from None
            except TimeoutError:
                process.popen.kill()  # busy reasoning would not notice the end of its input
                self._replace(None)
                if not self._closed:
                    self._ensure_process()  # starts now; warmed by the caller outside the lock
                return None
        raise AssertionError("unreachable")


def _answer(line: bytes, seconds: float) -> ServerAnswer:
    try:
        data = json.loads(line)
        status = data["status"]
    except (ValueError, KeyError, TypeError):
        raise HermitFailed(f"unreadable answer from HermiT: {line[:200]!r}") from None
    return ServerAnswer(status=status, unsatisfiable=list(data.get("unsatisfiable", [])),
                        message=str(data.get("message", "")), seconds=seconds)
