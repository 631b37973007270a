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


def test_raw_param_gives_sparql_json(store):
    raw = json.loads(run_named(store, "programs", ["raw=1", "limit=3"], queries_dir=QUERIES))
    assert "lang" in raw["head"]["vars"] and len(raw["results"]["bindings"]) == 3
    with pytest.raises(CannedCommandError, match="parameter 'raw'"):
        run_named(store, "place-record", ["actor=ruijin", "raw=1"], queries_dir=QUERIES)
    with pytest.raises(CannedCommandError, match="parameter 'raw'"):
        run_named(store, "programs", ["raw=perhaps"], queries_dir=QUERIES)


# ---------------------------------------------------------------------- through the real command


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    from click.testing import CliRunner

    from duikou_kg.cli import main

    env = {"DUIKOU_KG_DATA_DIR": str(tmp_path_factory.mktemp("data")), "DUIKOU_KG_ROOT": str(ROOT)}
    runner = CliRunner()
    assert runner.invoke(main, ["build"], env=env).exit_code == 0

    def invoke(*args):
        return runner.invoke(main, ["query", *args], env=env)

    return invoke


def test_cli_runs_canned_queries_like_the_api(cli, store):
    result = cli("--name", "place-pairings", "--param", "actor=neimenggu", "--param", "variant=support",
                 "--param", "lang=zh")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert "北京市" in {row["counterpartLabel"] for row in body["rows"]}
    api_like = json.loads(run_named(store, "place-pairings", ["actor=neimenggu", "variant=support", "lang=zh"],
                                    queries_dir=QUERIES))
    assert body["rows"] == api_like["rows"]  # same code, same answer
    ttl = cli("--name", "place-record", "--param", "actor=ruijin", "--format", "ttl")
    assert ttl.exit_code == 0 and "actor:ruijin" in ttl.output
    tsv = cli("--name", "programs", "--format", "tsv", "--param", "limit=2")
    assert tsv.exit_code == 0 and len(tsv.output.strip().splitlines()) == 3


def test_cli_refuses_bad_parameters_with_usage_errors(cli):
    for args, message in ((["--name", "pairings-in-year", "--param", "year=soon"], "parameter 'year'"),
                          (["--name", "place-pairings", "--param", "actor=pairing:x"], "parameter 'actor'"),
                          (["--name", "nothing-here"], "no canned query named"),
                          (["--name", "programs", "--format", "xml"], "comes as")):
        result = cli(*args)
        assert result.exit_code == 2 and message in result.output, result.output
