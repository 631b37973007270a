"""POST /validate, the curation API (tokens, dry run, accept, revert, re-validation, lock) and `duikou-kg submit`.

Everything runs on a copy of the project under tmp_path: accepted submissions are written there, never
into the checkout.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import SH

from curation_project import PREFIXES, VALID_PAIRING, copy_project
from duikou_kg.cli import main
from duikou_kg.config import Settings
from duikou_kg.curation import Curation
from duikou_kg.sources import discover_sources
from duikou_kg.store import open_store
from duikou_kg.web import create_app

ALICE = "alice-token-0123456789"
BOB = "bob-token-9876543210xyz"
TOKENS = f"alice:{ALICE},bob:{BOB}"
PAIRING = "https://w3id.org/duikou/id/pairing/test-1990-beijing-guizhou"


@pytest.fixture
def project(tmp_path):
    root = copy_project(tmp_path / "project", subset=None)
    return Settings.from_env(environ={"DUIKOU_KG_CURATOR_TOKENS": TOKENS}, project_root=root,
                             data_dir=tmp_path / "var")


@pytest.fixture
def client(project):
    app = create_app(project)
    app.config["TESTING"] = True
    return app.test_client()


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """One app for the read-only /validate tests (validation never writes)."""
    tmp = tmp_path_factory.mktemp("validate")
    settings = Settings.from_env(environ={}, project_root=copy_project(tmp / "project", subset=None), data_dir=tmp / "var")
    app = create_app(settings)
    app.config["TESTING"] = True
    return app.test_client()


def _auth(token=ALICE):
    return {"Authorization": f"Bearer {token}"}


def _ask(settings, query):
    return bool(open_store(settings).query(query))


# -- tokens ---------------------------------------------------------------------------------------


def test_no_token_401_wrong_token_403_and_tokens_never_shown(client, project, caplog):
    response = client.post("/curation/submissions", json={"additions": VALID_PAIRING, "source": "x"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.post("/curation/submissions", json={"additions": VALID_PAIRING, "source": "x"},
                           headers=_auth("not-a-curator-token-000"))
    assert response.status_code == 403
    assert "not-a-curator" not in response.get_data(as_text=True)
    assert ALICE not in repr(project) and "alice" in repr(project)
    assert ALICE not in caplog.text


def test_token_setting_rejects_short_tokens():
    with pytest.raises(ValueError, match="DUIKOU_KG_CURATOR_TOKENS"):
        Settings.from_env(environ={"DUIKOU_KG_CURATOR_TOKENS": "alice:short"})


# -- /validate ------------------------------------------------------------------------------------


def test_validate_json_turtle_and_groups(reader):
    broken = PREFIXES + "pairing:x a dko:CounterpartSupport ; dko:supporter actor:beijing ; dko:recipient actor:beijing ."
    response = reader.post("/validate", data=broken, content_type="text/turtle")
    assert response.status_code == 200
    body = response.json
    assert body["conforms"] is False and body["scope"]["mode"] == "incremental"
    assert "https://w3id.org/duikou/id/pairing/x" in body["by_resource"]
    assert body["by_shape"] and "不符合" in body["text"]["zh"] and "Does not conform" in body["text"]["en"]
    ttl = reader.post("/validate", data=broken, content_type="text/turtle", headers={"Accept": "text/turtle"})
    report = rdflib.Graph().parse(data=ttl.data, format="turtle")
    assert (None, rdflib.RDF.type, SH.ValidationReport) in report
    ok = reader.post("/validate", data=VALID_PAIRING, content_type="text/turtle")
    assert ok.json["conforms"] is True


@pytest.mark.parametrize("content_type,body", [
    ("application/n-triples", f"<{PAIRING}> <http://www.w3.org/2000/01/rdf-schema#label> \"t\"@en .\n"),
    ("application/ld+json", json.dumps({"@id": PAIRING, "http://www.w3.org/2000/01/rdf-schema#label": "t"})),
    ("application/rdf+xml", f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                            f'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description rdf:about="{PAIRING}">'
                            f'<rdfs:label>t</rdfs:label></rdf:Description></rdf:RDF>'),
])
def test_validate_reads_every_format(reader, content_type, body):
    response = reader.post("/validate", data=body, content_type=content_type)
    assert response.status_code == 200, response.json
    assert response.json["scope"]["focus_nodes"] >= 1


def test_validate_errors_name_line_and_column(reader):
    response = reader.post("/validate", data=PREFIXES + "pairing:x a ;; dko:Pairing .", content_type="text/turtle")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "malformed_rdf"
    assert error["details"]["line"] == PREFIXES.count("\n") + 1 and error["details"]["column"] > 1
    bad_json = reader.post("/validate", data='{\n "@id": [}', content_type="application/ld+json")
    assert bad_json.json["error"]["details"]["line"] == 2
    remote = reader.post("/validate", data=json.dumps({"@context": "http://127.0.0.1:9/ctx", "@id": PAIRING}),
                         content_type="application/ld+json")
    assert remote.status_code == 400 and remote.json["error"]["code"] == "unsafe_input"
    assert reader.post("/validate", data="x", content_type="image/png").status_code == 415


def test_validate_html_page_form_and_upload(reader):
    page = reader.get("/validate?lang=zh")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<textarea" in html and 'type="file"' in html and "<script" not in html
    hostile = PREFIXES + 'pairing:x rdfs:label "<script>alert(1)</script>"@en .'
    answer = reader.post("/validate", data={"data": hostile, "format": "turtle"}, content_type="multipart/form-data")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<script>alert" not in text and "&lt;script&gt;" in text
    import io
    upload = reader.post("/validate?lang=en", data={"file": (io.BytesIO(VALID_PAIRING.encode()), "p.ttl")},
                         content_type="multipart/form-data")
    assert "Conforms" in upload.get_data(as_text=True)
    broken = reader.post("/validate", data={"data": "@prefix x: <", "format": "turtle"}, content_type="multipart/form-data")
    assert broken.status_code == 400 and "line 1" in broken.get_data(as_text=True)


# -- submissions ----------------------------------------------------------------------------------


def test_dry_run_accept_revert(client, project):
    removal = PREFIXES + "pairing:seed-1979-hebei-guizhou dko:startYear 1979 ."
    response = client.post("/curation/submissions", headers=_auth(), json={
        "additions": VALID_PAIRING, "removals": removal, "source": "https://example.org/report", "comment": "test"})
    assert response.status_code == 201, response.json
    sub = response.json
    assert sub["status"] == "pending" and sub["conforms"] is True and sub["curator"] == "alice"
    assert len(sub["diff"]["added"]) == 9 and len(sub["diff"]["removed"]) == 1
    labels = {r["iri"]: r["labels"] for r in sub["diff"]["resources"]}
    assert labels["https://w3id.org/duikou/id/actor/beijing"] == {"zh": "北京市", "en": "Beijing"}
    assert not _ask(project, f"ASK {{ <{PAIRING}> ?p ?o }}")  # a dry run changes nothing

    accepted = client.post(f"/curation/submissions/{sub['id']}/accept", headers=_auth(BOB))
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    folder = project.project_root / accepted.json["folder"]
    assert sorted(p.name for p in folder.iterdir()) == ["additions.ttl", "provenance.ttl", "removals.nt", "submission.json"]
    assert _ask(project, f"ASK {{ <{PAIRING}> ?p ?o }}")
    assert not _ask(project, "ASK { <https://w3id.org/duikou/id/pairing/seed-1979-hebei-guizhou> dko:startYear 1979 }")
    assert _ask(project, f"""ASK {{ ?a a prov:Activity ; prov:wasAssociatedWith ?who ; prov:used <https://example.org/report> ;
        prov:startedAtTime ?t ; dcterms:identifier "{sub['id']}" ; prov:generated ?g . ?who rdfs:label "bob" }}""")
    assert client.post(f"/curation/submissions/{sub['id']}/accept", headers=_auth()).status_code == 409

    reverted = client.post(f"/curation/submissions/{sub['id']}/revert", headers=_auth())
    assert reverted.status_code == 201 and reverted.json["kind"] == "revert" and reverted.json["reverts"] == sub["id"]
    assert not _ask(project, f"ASK {{ <{PAIRING}> ?p ?o }}")
    assert _ask(project, "ASK { <https://w3id.org/duikou/id/pairing/seed-1979-hebei-guizhou> dko:startYear 1979 }")
    assert client.get(f"/curation/submissions/{sub['id']}", headers=_auth()).json["status"] == "reverted"
    assert client.post(f"/curation/submissions/{sub['id']}/revert", headers=_auth()).status_code == 409
    assert client.get("/curation/submissions/../etc", headers=_auth()).status_code == 404


def test_invalid_cannot_be_accepted_and_stale_dry_runs_are_revalidated(client, project):
    broken = PREFIXES + "pairing:b a dko:CounterpartSupport ; dko:supporter actor:beijing ; dko:recipient actor:beijing ."
    bad = client.post("/curation/submissions", headers=_auth(), json={"additions": broken, "source": "s"}).json
    assert bad["conforms"] is False
    refused = client.post(f"/curation/submissions/{bad['id']}/accept", headers=_auth())
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_submission"

    # Two dry runs, each valid alone; together the pairing has two end years (at most one allowed).
    first, second = (
        client.post("/curation/submissions", headers=_auth(), data=PREFIXES + f"pairing:seed-1979-hebei-guizhou dko:endYear {year} .",
                    content_type="text/turtle", query_string={"source": "s"}).json
        for year in (1990, 1991)
    )
    assert first["conforms"] and second["conforms"]
    assert client.post(f"/curation/submissions/{first['id']}/accept", headers=_auth()).status_code == 200
    stale = client.post(f"/curation/submissions/{second['id']}/accept", headers=_auth())
    assert stale.status_code == 409
    assert client.get(f"/curation/submissions/{second['id']}", headers=_auth()).json["conforms"] is False


def test_submission_body_errors(client):
    missing = client.post("/curation/submissions", headers=_auth(), json={"additions": VALID_PAIRING})
    assert missing.status_code == 400 and missing.json["error"]["code"] == "missing_source"
    broken = client.post("/curation/submissions", headers=_auth(), json={"additions": "x", "removals": "", "source": "s"})
    assert broken.status_code == 400 and broken.json["error"]["details"]["part"] == "additions"
    blank = client.post("/curation/submissions", headers=_auth(), json={"additions": PREFIXES + "pairing:x rdfs:seeAlso [] .", "source": "s"})
    assert blank.json["error"]["code"] == "blank_node"


def test_concurrent_accepts_are_serialised(project):
    curation = Curation(project)
    subs = [curation.submit(rdflib.Graph().parse(data=PREFIXES + f'actor:beijing skos:altLabel "京{i}"@zh .', format="turtle"),
                            curator="alice", source="s") for i in range(2)]
    errors = []

    def accept(sid):
        try:
            curation.accept(sid, curator="alice")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(s.id,)) for s in subs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    folders = sorted(curation.accepted_folders().values())
    assert [f.name[:6] for f in folders] == ["000001", "000002"]
    assert all(_ask(project, f'ASK {{ actor:beijing skos:altLabel "京{i}"@zh }}') for i in range(2))
    # The curated files are sources of the build, after the hand-written ones.
    assert [s.relative_path for s in discover_sources(project.project_root)][-1].startswith("data/curation/000002-")


def test_cli_submit_dry_run_and_accept(project, tmp_path, monkeypatch):
    for key, value in (("DUIKOU_KG_ROOT", str(project.project_root)), ("DUIKOU_KG_DATA_DIR", str(project.data_dir))):
        monkeypatch.setenv(key, value)
    file = tmp_path / "new.ttl"
    file.write_text(VALID_PAIRING, encoding="utf-8")
    runner = CliRunner()
    dry = runner.invoke(main, ["submit", str(file), "--source", "https://example.org/doc"])
    assert dry.exit_code == 0, dry.output
    assert "+ <" in dry.output and "accepted" not in dry.output
    assert not _ask(project, f"ASK {{ <{PAIRING}> ?p ?o }}")
    done = runner.invoke(main, ["submit", str(file), "--source", "https://example.org/doc", "--curator", "carol", "--accept"])
    assert done.exit_code == 0, done.output
    assert "accepted: data/curation/000001-" in done.output
    assert _ask(project, f"ASK {{ <{PAIRING}> ?p ?o }}")
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "pairing:b a dko:CounterpartSupport ; dko:supporter actor:beijing ; dko:recipient actor:beijing .",
                   encoding="utf-8")
    refused = runner.invoke(main, ["submit", str(bad), "--source", "s", "--accept"])
    assert refused.exit_code == 1 and "does not conform" in refused.output


def test_every_curation_route_and_setting_is_documented(reader):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "curation.md").read_text(encoding="utf-8")
    routes = {rule.rule.replace("<submission_id>", "<id>") for rule in reader.application.url_map.iter_rules()
              if rule.endpoint.split(".")[0] in ("validation", "curation")}
    assert routes == {"/validate", "/curation/submissions", "/curation/submissions/<id>",
                      "/curation/submissions/<id>/accept", "/curation/submissions/<id>/revert"}
    assert all(f" {route}`" in doc for route in routes), routes
    assert "DUIKOU_KG_CURATOR_TOKENS" in doc and "DUIKOU_KG_CURATION_COMMIT_PAUSE" in doc
