"""Canned queries from the command line (duikou_kg.canned.command): same validation, same renderers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from duikou_kg.canned.command import CannedCommandError, parse_params, run_named
from duikou_kg.linked_data.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


def test_params_parse_and_refuse_malformed_pairs():
    assert parse_params(["year=1996", "text=a=b", "lang="]) == {"year": "1996", "text": "a=b", "lang": ""}
    for bad in (["year"], ["=1996"], ["year=1", "year=2"]):
        with pytest.raises(CannedCommandError):
            parse_params(bad)


def test_run_named_in_each_format(store):
    body = json.loads(run_named(store, "pairings-in-year", ["year=1980", "limit=5"], queries_dir=QUERIES))
    assert body["limit"] == 5 and len(body["rows"]) == 5 and body["parameters"]["year"] == "1980"
    table = list(csv.reader(io.StringIO(run_named(store, "programs", [], "csv", queries_dir=QUERIES).decode())))
    assert table[0][0] == "program" and len(table) > 5
    turtle = run_named(store, "place-record", ["actor=ruijin"], "ttl", queries_dir=QUERIES).decode()
    assert "@prefix dko:" in turtle and "actor:ruijin" in turtle


@pytest.mark.parametrize("name, pairs, fmt, message", [
    ("no-such", [], "json", "no canned query named"),
    ("programs", [], "ttl", "comes as"),
    ("programs", [], "html", "comes as"),
    ("pairings-in-year", ["year=soon"], "json", "parameter 'year'"),
    ("actor-search", ['text=x" } UNION { ?s ?p ?o } #', "limit=5000"], "json", "parameter 'limit'"),
])
def test_errors_say_what_to_fix(store, name, pairs, fmt, message):
    with pytest.raises(CannedCommandError, match=message):
        run_named(store, name, pairs, fmt, queries_dir=QUERIES)
