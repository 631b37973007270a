"""Dumps (duikou_kg.linked_data.dumps) and their serving under /dumps/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from duikou_kg.linked_data.dumps import DUMP_FORMATS, VARIANTS, parse_dump, write_dumps
from duikou_kg.linked_data.memory import MemoryStore
from test_linked_data import make_app

ROOT = Path(__file__).resolve().parents[1]
INFERRED = "https://w3id.org/duikou/graph/inferred"


def _count(store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


@pytest.fixture(scope="module")
def dumped(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dumps")
    return folder, write_dumps(store, folder)


def test_every_dump_parses_back_to_the_store_counts(store, dumped):
    folder, files = dumped
    assert {(f.variant, f.extension) for f in files} == {(v, f.extension) for v in VARIANTS for f in DUMP_FORMATS}
    expected = {
        ("all", False): _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"),
        ("all", True): _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        ("asserted", False): _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
                                           f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED}>) }} }}"),
        ("asserted", True): _count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                          f"FILTER(?g != <{INFERRED}>) }}"),
    }
    assert expected[("all", True)] > expected[("asserted", True)]  # the inferred graph is not empty
    quads = {f.extension: f.quads for f in DUMP_FORMATS}
    for f in files:
        parsed = parse_dump(folder / f.name)
        assert len(set(parsed)) == expected[(f.variant, quads[f.extension])], f.name
        if quads[f.extension] and f.variant == "asserted":
            assert all(q.graph_name.value != INFERRED for q in parsed)


def test_checksum_files_match(dumped):
    folder, files = dumped
    for f in files:
        digest, name = (folder / f"{f.name}.sha256").read_text().split()
        assert name == f.name and digest == hashlib.sha256((folder / f.name).read_bytes()).hexdigest() == f.sha256


def test_dumps_are_reproducible(store, dumped, tmp_path):
    _, files = dumped
    again = write_dumps(store, tmp_path, formats=("ttl",))
    assert {f.name: f.sha256 for f in again} == {f.name: f.sha256 for f in files if f.extension == "ttl"}


def test_dumps_are_served_with_checksums(store, tmp_path):
    write_dumps(store, tmp_path / "dumps", formats=("nt",))
    client = make_app(tmp_path, store).test_client()
    with client.get("/dumps/duikou-kg-all.nt.gz") as r:  # file responses hold the file open until closed
        assert r.status_code == 200 and r.mimetype == "application/gzip"
        body = r.data
    with client.get("/dumps/duikou-kg-all.nt.gz.sha256") as r:
        assert r.get_data(as_text=True).split()[0] == hashlib.sha256(body).hexdigest()
    assert client.get("/dumps/dumps.json").status_code == 404
    assert client.get("/dumps/..%2Fsecret").status_code == 404
