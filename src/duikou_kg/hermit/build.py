"""Compile ``HermitServer.java`` against owlready2's HermiT jar, once, into a cache folder.

The folder's name holds a hash of the source and of the jar, so a changed source or a new owlready2
compiles anew and an unchanged one is reused. ``scripts/setup.sh`` runs ``python -m duikou_kg.hermit``
so that the first validation does not wait for ``javac`` (≈1.5 s).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import owlready2

__all__ = ["CLASS_NAME", "JavaUnavailable", "cache_root", "compiled_server", "hermit_jar"]

SOURCE = Path(__file__).with_name("HermitServer.java")
CLASS_NAME = "HermitServer"


class JavaUnavailable(RuntimeError):
    """No usable ``java``/``javac`` (or the compilation failed): callers fall back to owlready2."""


def hermit_jar() -> Path:
    """The HermiT jar (with the OWL API classes) that owlready2 ships."""
    return Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


def cache_root() -> Path:
    """``$DUIKOU_KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/duikou-kg``, else ``~/.cache/duikou-kg``."""
    explicit = os.environ.get("DUIKOU_KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "duikou-kg"


def _fingerprint(jar: Path) -> str:
    digest = hashlib.sha256(SOURCE.read_bytes())
    info = jar.stat()
    digest.update(f"{jar}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def compiled_server(cache: Path | None = None, javac: str = "javac") -> Path:
    """The folder holding ``HermitServer.class``, compiling it first if needed."""
    jar = hermit_jar()
    if not jar.is_file():
        raise JavaUnavailable(f"owlready2 ships no HermiT jar at {jar}")
    target = (cache or cache_root()) / f"hermit-server-{_fingerprint(jar)}"
    if (target / f"{CLASS_NAME}.class").is_file():
        return target
    compiler = shutil.which(javac)
    if compiler is None:
        raise JavaUnavailable("javac not found (install a JDK, e.g. default-jdk-headless)")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Compile into a temporary folder and rename it into place: two processes compiling at once both succeed.
    work = Path(tempfile.mkdtemp(prefix=".hermit-build-", dir=target.parent))
    try:
        done = subprocess.run([compiler, "-nowarn", "-encoding", "UTF-8", "-cp", str(jar), "-d", str(work), str(SOURCE)],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise JavaUnavailable(f"javac failed: {(done.stderr or done.stdout).strip()[:800]}")
        try:
            work.rename(target)
        except OSError:  # another process got there first
            if not (target / f"{CLASS_NAME}.class").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target

