"""The duikou-kg command through click's CliRunner, on the tiny project (validate on the real one)."""

from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from duikou_kg.cli import main
from duikou_kg.namespaces import INFERRED_GRAPH

from conftest import PREFIXES


@pytest.fixture
def env(tiny_settings) -> dict[str, str]:
    return {"DUIKOU_KG_ROOT": str(tiny_settings.project_root), "DUIKOU_KG_DATA_DIR": str(tiny_settings.data_dir)}


@pytest.fixture
def run(env):
    runner = CliRunner()

    def invoke(*args: str, extra_env: dict[str, str] | None = None):
        return runner.invoke(main, list(args), env={**env, **(extra_env or {})}, catch_exceptions=False)

    return invoke


def assert_one_line_error(result, exit_code: int, fragment: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1


def test_build_prints_counts_per_graph_and_inferred(run, tiny_store):
    result = run("build")
    assert result.exit_code == 0
    lines = dict(line.rsplit(None, 1) for line in result.stdout.splitlines()[:-1])
    assert int(lines["data/ttl/pairings.ttl"]) == 13
    assert int(lines["inferred"]) == tiny_store.manifest.inferred_count > 0
    assert int(lines["total"]) == tiny_store.triple_count
    assert "inference" in result.stdout.splitlines()[-1]


def test_query_prints_json_by_default_and_csv_on_request(run):
    result = run("query", "SELECT ?r WHERE { actor:beijing dko:supports ?r }")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["results"]["bindings"][0]["r"]["value"].endswith("/actor/county")
    csv = run("query", "SELECT ?r WHERE { actor:beijing dko:supports ?r }", "--format", "csv")
    assert csv.stdout.splitlines() == ["r", "https://w3id.org/duikou/id/actor/county"]


def test_query_from_a_file_and_graph_results_default_to_turtle(run, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text("CONSTRUCT { ?s dko:supports ?o } WHERE { ?s dko:supports ?o }")
    result = run("query", "--file", str(query_file))
    assert result.exit_code == 0
    triples = list(ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 1
    nt = run("query", "--file", str(query_file), "--format", "nt")
    assert nt.stdout.startswith("<https://w3id.org/duikou/id/actor/beijing>")


def test_query_errors_exit_1_with_one_line(run):
    assert_one_line_error(run("query", "SELECT ?s WHERE {"), 1, "error at 1:")
    assert_one_line_error(run("query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 1, "SERVICE")


@pytest.mark.parametrize("args, fragment", [
    ((), "exactly one of"),
    (("ASK {}", "--file", "nonexistent.rq"), "does not exist"),
    (("CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"), "does not fit"),
    (("ASK {}", "--format", "yaml"), "Invalid value"),
    (("ASK {}", "--param", "a=1"), "--param only goes with --name"),
])
def test_usage_errors_exit_2(run, args, fragment):
    result = run("query", *args)
    assert result.exit_code == 2
    assert fragment in result.stderr and "Traceback" not in result.output


def test_a_bad_environment_value_is_a_usage_error(run):
    result = run("build", extra_env={"DUIKOU_KG_PORT": "eighty"})
    assert result.exit_code == 2 and "DUIKOU_KG_PORT" in result.stderr


def test_a_broken_source_fails_the_build_with_its_position(run, tiny_settings):
    assert run("build").exit_code == 0
    (tiny_settings.project_root / "data" / "ttl" / "broken.ttl").write_text(PREFIXES + "actor:a dko:b .\nactor:c\n")
    result = run("build")
    line = len(PREFIXES.splitlines()) + 1  # "actor:a dko:b ." lacks its object
    assert_one_line_error(result, 1, f"data/ttl/broken.ttl:{line}:15: ")


def test_dump_formats_and_the_inferred_switch(run, tiny_store, tmp_path):
    nquads = run("dump", "--format", "nq")
    quads = list(ox.parse(nquads.stdout.encode(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == tiny_store.triple_count
    assert any(q.graph_name.value == INFERRED_GRAPH for q in quads)
    asserted = list(ox.parse(run("dump", "--format", "nq", "--no-inferred").stdout.encode(), format=ox.RdfFormat.N_QUADS))
    assert len(asserted) == tiny_store.manifest.asserted_count
    out = tmp_path / "all.ttl"
    result = run("dump", "--format", "ttl", "--out", str(out))
    assert result.exit_code == 0 and "wrote" in result.stderr
    merged = set(ox.parse(path=out, format=ox.RdfFormat.TURTLE))
    assert len(merged) == len({(q.subject, q.predicate, q.object) for q in quads})
    jsonld = json.loads(run("dump", "--format", "jsonld").stdout)
    assert INFERRED_GRAPH in {entry.get("@id") for entry in jsonld}


def test_validate_reports_violations_and_exits_1(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "pairing:x a dko:CounterpartSupport .\n")
    result = CliRunner().invoke(main, ["validate", str(bad)], env={"DUIKOU_KG_DATA_DIR": str(tmp_path / "var")})
    assert result.exit_code == 1, result.output
    assert "Violation" in result.stdout and "supporter" in result.stdout


def test_dump_without_format_writes_the_gzip_set_with_checksums(run, tiny_store, tmp_path):
    folder = tmp_path / "dumps"
    result = run("dump", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.glob("*.gz"))
    assert names == sorted(f"duikou-kg-{v}.{e}.gz" for v in ("all", "asserted") for e in ("ttl", "nt", "nq", "jsonld"))
    for name in names:
        digest, listed = (folder / f"{name}.sha256").read_text().split()
        assert listed == name and digest == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    nquads = gzip.decompress((folder / "duikou-kg-all.nq.gz").read_bytes())
    assert len(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) == tiny_store.triple_count
    assert run("dump", "--out", str(tmp_path / "x.nt")).exit_code == 2  # --out needs --format


def test_stats_prints_one_row_per_program(run, tiny_store):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| program | 项目 | pairings |")
    rows = [line for line in lines[2:] if not line.startswith("| **")]
    assert rows, result.stdout
    total = sum(int(row.split("|")[3]) for row in rows)
    pairings = tiny_store.query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/duikou/ontology#Pairing> }")
    assert total == int(next(iter(pairings))["n"].value)
    years = tiny_store.query("SELECT (MIN(?y) AS ?first) (MAX(?y) AS ?last) WHERE { ?p <https://w3id.org/duikou/ontology#startYear> ?y }")
    first_last = next(iter(years))
    assert f"| {first_last['first'].value}" in result.stdout or f"{first_last['first'].value}–" in result.stdout
