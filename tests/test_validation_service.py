"""Where validation runs: HermiT warmed at server start and ended at teardown; `duikou-kg validate` against the build."""

from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner
from curation_project import PREFIXES, VALID_PAIRING, copy_project

from duikou_kg.cli import main
from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.web import create_app
from duikou_kg.web.curation import close_validation, start_validation

BROKEN = PREFIXES + "pairing:x a dko:CounterpartSupport .\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("service") / "project")
    settings = Settings.from_env(environ={}, project_root=root, data_dir=root.parent / "var")
    return settings, open_store(settings)


def test_the_server_warms_hermit_before_the_first_request_and_ends_it(project):
    settings, store = project
    app = create_app(settings, store=store)
    context = start_validation(app)  # returns at once: the JVM starts and warms in the background
    reasoner = context.reasoner
    deadline = time.monotonic() + 60
    while reasoner.pid is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = reasoner.pid
    assert pid is not None  # started before any request
    response = app.test_client().post("/validate", data=VALID_PAIRING, content_type="text/turtle")
    assert response.status_code == 200 and response.json["scope"]["reasoner"] == "hermit-server"
    assert reasoner.starts == 1  # the request used the process started ahead
    close_validation(app)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _validate(settings: Settings, path) -> object:
    env = {"DUIKOU_KG_ROOT": str(settings.project_root), "DUIKOU_KG_DATA_DIR": str(settings.data_dir)}
    return CliRunner().invoke(main, ["validate", str(path)], env=env, catch_exceptions=False)


def test_validate_command_checks_files_incrementally_against_the_build(project, tmp_path):
    settings, store = project
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN, encoding="utf-8")
    result = _validate(settings, bad)
    assert result.exit_code == 1, result.output
    assert f"incremental validation against build {store.manifest.build_id}" in result.stderr
    assert "Violation" in result.stdout and "supporter" in result.stdout
    good = tmp_path / "good.ttl"
    good.write_text(VALID_PAIRING, encoding="utf-8")
    assert _validate(settings, good).exit_code == 0


def test_validate_command_without_a_fresh_build_validates_fully(project, tmp_path):
    settings, _store = project
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN, encoding="utf-8")
    stale = Settings.from_env(environ={}, project_root=settings.project_root, data_dir=tmp_path / "no-build")
    result = _validate(stale, bad)
    assert result.exit_code == 1, result.output
    assert "full validation against the sources" in result.stderr
    assert not (tmp_path / "no-build").exists() or not any((tmp_path / "no-build").iterdir())  # nothing built
