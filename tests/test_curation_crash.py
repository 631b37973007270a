"""Crash safety: SIGKILL the real `duikou-kg serve` in the middle of an accept, restart, and compare.

The server runs on a copy of the project (``DUIKOU_KG_ROOT``) and a temporary data dir, on 127.0.0.1 and
a free port. ``DUIKOU_KG_CURATION_COMMIT_PAUSE`` makes an accept wait after its folder is renamed into
place and before the new build is switched: the kill lands there. A folder left under its temporary
name (a crash before the rename) is planted too. After the restart, every earlier accepted submission is
in the store, the interrupted one is fully there (its folder was committed) and the planted one fully
absent, and the store's build fingerprint is that of the source files.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from curation_project import PREFIXES, copy_project
from duikou_kg.config import Settings
from duikou_kg.sources import discover_sources, fingerprint
from duikou_kg.store import current_build, open_store

CONSOLE_SCRIPT = Path(sys.executable).with_name("duikou-kg")
TOKEN = "crash-test-token-0123456789"


def _start(root: Path, data: Path, pause: float) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DUIKOU_KG_ROOT": str(root), "DUIKOU_KG_DATA_DIR": str(data),
           "DUIKOU_KG_CURATOR_TOKENS": f"tester:{TOKEN}", "DUIKOU_KG_CURATION_COMMIT_PAUSE": str(pause)}
    process = subprocess.Popen([str(CONSOLE_SCRIPT), "serve", "--host", "127.0.0.1", "--port", "0", "--threads", "4"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    banner = process.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1:\d+)/sparql", banner)
    assert match, f"no URL in {banner!r}"
    return process, f"http://{match.group(1)}"


def _call(base: str, path: str, body: dict | None = None, timeout: float = 60) -> dict:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(base + path, data=data, method="POST", headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _ask(base: str, query: str) -> bool:
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                timeout=30) as response:
        return json.loads(response.read())["boolean"]


def _label(i: int) -> str:
    return PREFIXES + f'actor:beijing skos:altLabel "京{i}"@zh .'


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()


def test_sigkill_during_accept_loses_nothing(tmp_path):
    root = copy_project(tmp_path / "project", subset=None)
    data = tmp_path / "var"
    process, base = _start(root, data, pause=0)
    try:
        earlier = []
        for i in (1, 2):
            sub = _call(base, "/curation/submissions", {"additions": _label(i), "source": "s"})
            assert _call(base, f"/curation/submissions/{sub['id']}/accept")["status"] == "accepted"
            earlier.append(sub["id"])
    finally:
        _kill(process)

    process, base = _start(root, data, pause=60)
    try:
        sub = _call(base, "/curation/submissions", {"additions": _label(3), "source": "s"})
        threading.Thread(target=lambda: _call_quietly(base, sub["id"]), daemon=True).start()
        deadline = time.monotonic() + 30
        # The committed name, not the ".tmp-" one the accept writes first (pathlib's "*" matches dot names).
        while not list((root / "data" / "curation").glob(f"[0-9]*-{sub['id']}")):
            assert time.monotonic() < deadline, "the accept never wrote its folder"
            time.sleep(0.05)
        assert not _ask(base, 'ASK { actor:beijing skos:altLabel "京3"@zh }')  # not yet switched
    finally:
        _kill(process)  # between the rename and the build switch

    planted = root / "data" / "curation" / ".tmp-000099-0123456789ab"  # a crash before its rename
    planted.mkdir()
    (planted / "additions.ttl").write_text(_label(99), encoding="utf-8")

    process, base = _start(root, data, pause=0)
    try:
        for i in (1, 2, 3):
            assert _ask(base, f'ASK {{ actor:beijing skos:altLabel "京{i}"@zh }}'), i
        assert not _ask(base, 'ASK { actor:beijing skos:altLabel "京99"@zh }')
    finally:
        _kill(process)

    settings = Settings.from_env(environ={}, project_root=root, data_dir=data)
    assert current_build(settings).fingerprint == fingerprint(discover_sources(root))
    store = open_store(settings, rebuild_if_stale=False)
    folders = sorted(p for p in (root / "data" / "curation").iterdir() if not p.name.startswith("."))
    assert [f.name.split("-", 1)[1] for f in folders] == [*earlier, sub["id"]]
    for folder in folders:  # store and source files agree, triple by triple
        for triple in ox.parse(path=folder / "additions.ttl", format=ox.RdfFormat.TURTLE):
            assert any(store.quads_for_pattern(triple.subject, triple.predicate, triple.object)), triple


def _call_quietly(base: str, submission_id: str) -> None:
    try:
        _call(base, f"/curation/submissions/{submission_id}/accept", timeout=120)
    except (urllib.error.URLError, ConnectionError, OSError):
        pass  # the server is killed mid-request
