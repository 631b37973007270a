"""The real `duikou-kg serve` process (waitress) on a free port, queried with SPARQLWrapper."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from duikou_kg.processes import stop_process

CONSOLE_SCRIPT = Path(sys.executable).with_name("duikou-kg")


@pytest.fixture
def server(tiny_settings):
    env = {**os.environ, "DUIKOU_KG_ROOT": str(tiny_settings.project_root),
           "DUIKOU_KG_DATA_DIR": str(tiny_settings.data_dir)}
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "serve", "--port", "0", "--threads", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()  # printed once the socket listens
        match = re.search(r"(http://127\.0\.0\.1:\d+/sparql)", banner)
        assert match, f"no URL in {banner!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        endpoint = match.group(1)
        deadline = time.monotonic() + 20
        while True:  # wait until it answers
            try:
                with urllib.request.urlopen(endpoint, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield endpoint
    finally:
        stop_process(process)
        process.stdout.close()
        process.stderr.close()


def test_serve_answers_select_and_construct_over_http(server, tiny_store):
    assert "127.0.0.1" in server  # the default interface is loopback only
    sparql = SPARQLWrapper(server)
    sparql.setQuery("PREFIX dko: <https://w3id.org/duikou/ontology#> "
                    "SELECT ?s ?o WHERE { ?s dko:supports ?o }")
    sparql.setReturnFormat(JSON)
    rows = sparql.query().convert()["results"]["bindings"]
    assert [(r["s"]["value"], r["o"]["value"]) for r in rows] == [
        ("https://w3id.org/duikou/id/actor/beijing", "https://w3id.org/duikou/id/actor/county")]

    sparql.setQuery("CONSTRUCT { ?a ?p ?b } WHERE { ?a ?p ?b FILTER(?p = <https://w3id.org/duikou/ontology#cooperatesWith>) }")
    sparql.setReturnFormat(TURTLE)
    turtle = sparql.query().convert()
    triples = set(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    assert {(t.subject.value.rsplit("/", 1)[1], t.object.value.rsplit("/", 1)[1]) for t in triples} == {
        ("jilin", "zhejiang"), ("zhejiang", "jilin")}

    with urllib.request.urlopen(server + "?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D&format=csv") as response:
        assert response.read().decode().splitlines()[1] == str(tiny_store.triple_count)
