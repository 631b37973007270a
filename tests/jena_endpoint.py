"""A second real SPARQL store for the remote-backend tests: Apache Jena ARQ (Fuseki's engine) from Debian.

Debian packages Jena's libraries (``libapache-jena-java``) but not Fuseki, so ``jena/ArqEndpoint.java`` puts
ARQ's query and update engines behind the JDK's HTTP server (SPARQL protocol, SPARQL Update, Graph Store
Protocol; see the file). ``ArqEndpoint.start(folder)`` compiles it once into ``folder`` and runs it on
127.0.0.1; ``stop()`` ends it. Virtuoso is lenient about SPARQL; ARQ is strict, so the service's queries
meet a standards-strict engine too.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from duikou_kg.processes import stop_process

SOURCE = Path(__file__).with_name("jena") / "ArqEndpoint.java"
PACKAGE = "libapache-jena-java"
_JARS = Path("/usr/share/java")
# Other logging bindings on the classpath only make SLF4J complain; the no-op one keeps the output clean.
_LEFT_OUT = ("slf4j-jcl", "slf4j-jdk14", "slf4j-log4j12", "slf4j-migrator", "slf4j-simple", "log4j-over-slf4j",
             "jul-to-slf4j", "jcl-over-slf4j")


class JenaUnavailable(RuntimeError):
    pass


def classpath() -> list[Path]:
    """The jars of Debian's Jena package and of every package it depends on."""
    depends = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                              "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", PACKAGE],
                             capture_output=True, text=True, check=False)
    packages = sorted({line.strip() for line in depends.stdout.splitlines() if line and not line[0].isspace()})
    if PACKAGE not in packages:
        raise JenaUnavailable(f"{PACKAGE} is not known to apt: run scripts/setup.sh --test")
    listed = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True, check=False).stdout
    jars = [Path(line) for line in listed.splitlines()
            if line.startswith(f"{_JARS}/") and line.endswith(".jar") and "/" not in line[len(str(_JARS)) + 1:]]
    jars = [jar for jar in jars if jar.is_file() and not jar.is_symlink() and not jar.name.startswith(_LEFT_OUT)]
    if not any(jar.name.startswith("jena-arq") for jar in jars):
        raise JenaUnavailable(f"{PACKAGE} is not installed: run scripts/setup.sh --test")
    return jars


def _resource_overlay(folder: Path) -> Path:
    """Debian's jena-core moved the bundled Xerces classes to ``xerces.*`` but left their message files
    under ``org/apache/jena/ext/xerces/``; without copies at the new place Jena fails to start ("internal
    error" in XSSimpleTypeDecl)."""
    overlay = folder / "xerces-resources"
    if not overlay.is_dir():
        prefix = "org/apache/jena/ext/xerces/"
        with zipfile.ZipFile(_JARS / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(prefix) and name.endswith(".properties"):
                    target = overlay / "xerces" / name[len(prefix):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    return overlay


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ArqEndpoint:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings_overrides(self) -> dict[str, object]:
        return {"sparql_url": self.base + "/sparql", "sparql_update_url": self.base + "/update",
                "graph_store_url": self.base + "/data"}

    @classmethod
    def start(cls, folder: Path, timeout: float = 60.0) -> "ArqEndpoint":
        javac, java = shutil.which("javac"), shutil.which("java")
        if javac is None or java is None:
            raise JenaUnavailable("java/javac not found: run scripts/setup.sh --test")
        jars = classpath()
        classes = folder / "classes"
        classes.mkdir(parents=True, exist_ok=True)
        compiled = subprocess.run([javac, "-nowarn", "-encoding", "UTF-8", "-cp", ":".join(map(str, jars)),
                                   "-d", str(classes), str(SOURCE)], capture_output=True, text=True, check=False)
        if compiled.returncode != 0:
            raise JenaUnavailable(f"javac failed: {compiled.stderr[-1500:]}")
        port = _free_port()
        path = ":".join(map(str, [classes, _resource_overlay(folder), *jars]))
        log = folder / "endpoint.log"
        with log.open("wb") as output:
            process = subprocess.Popen([java, "-Xmx1g", "-cp", path, "ArqEndpoint", str(port)],
                                       stdout=output, stderr=subprocess.STDOUT)
        endpoint = cls(process, port)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise JenaUnavailable(f"the Jena endpoint exited: {log.read_text(errors='replace')[-1500:]}")
            try:
                with urllib.request.urlopen(endpoint.base + "/sparql?query=ASK%7B%7D", timeout=2):
                    return endpoint
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        endpoint.stop()
        raise JenaUnavailable(f"the Jena endpoint did not answer within {timeout:g} s")

    def stop(self) -> None:
        stop_process(self.process, grace=5)
