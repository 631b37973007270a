"""The SPARQL query editor page (YASGUI) at ``/`` and ``/query``.

YASGUI (``@zazuko/yasgui``, the editor Fuseki, Oxigraph and GraphDB ship) comes from the npm registry
through ``frontend/package.json``; ``scripts/setup.sh`` copies its built files into
``web/static/vendor/yasgui/`` (not in git), and this blueprint serves them from its own static route, so
the page needs no CDN. The page carries its configuration (endpoint, prefixes, example queries) as a JSON
data block, and all behaviour lives in ``static/canned/editor.js``: no inline script.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request

from ..canned.examples import example_text
from ..namespaces import all_prefixes
from .api import canned_state

__all__ = ["VENDOR_FILES", "bp", "editor_prefixes", "vendor_missing"]

bp = Blueprint("canned_editor", __name__, static_folder="static", static_url_path="/assets",
               template_folder="templates")

STATIC_DIR = Path(__file__).parent / "static"
#: The YASGUI files the page loads, relative to ``static/``; setup.sh puts them there.
VENDOR_FILES = ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css")

_EDITOR_PREFIXES = ("dko", "actor", "pairing", "program", "event", "doc", "cite", "work", "sector",
                    "instrument", "status", "rdf", "rdfs", "skos", "xsd")


def editor_prefixes() -> dict[str, str]:
    prefixes = all_prefixes()
    return {name: prefixes[name] for name in _EDITOR_PREFIXES}


def default_query() -> str:
    head = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in editor_prefixes().items())
    return (head + "\n\n# Pairings with their supporter and recipient, in English\n"
            "SELECT ?pairing ?supporterLabel ?recipientLabel ?startYear WHERE {\n"
            "  ?pairing a dko:Pairing ; dko:supporter ?supporter ; dko:recipient ?recipient .\n"
            "  OPTIONAL { ?pairing dko:startYear ?startYear }\n"
            "  OPTIONAL { ?supporter rdfs:label ?supporterLabel FILTER(langMatches(lang(?supporterLabel), \"en\")) }\n"
            "  OPTIONAL { ?recipient rdfs:label ?recipientLabel FILTER(langMatches(lang(?recipientLabel), \"en\")) }\n"
            "}\nORDER BY ?startYear ?pairing\nLIMIT 100\n")


def vendor_missing() -> list[str]:
    return [name for name in VENDOR_FILES if not (STATIC_DIR / name).is_file()]


def _examples(lang: str) -> list[dict[str, str]]:
    state = canned_state()

    def build() -> list[dict[str, str]]:
        out = []
        for query in state.catalog:
            out.append({
                "name": query.name,
                "title": {"en": query.summary["en"], "zh": query.summary["zh"]},
                "text": example_text(query, store=state.store),
            })
        return out

    return [{"name": e["name"], "title": e["title"][lang], "text": e["text"]}
            for e in state.cached("editor-examples", build)]


@bp.get("/")
@bp.get("/query")
def editor():
    lang = request.args.get("lang")
    if lang not in ("en", "zh"):
        lang = request.accept_languages.best_match(["en", "zh"], default="en")
    examples = _examples(lang)
    config = {
        "endpoint": request.script_root + "/sparql",
        "prefixes": editor_prefixes(),
        "defaultQuery": default_query(),
        "examples": examples,
        "lang": lang,
        # ?example=<name> opens that canned query in a tab (the pictures' "show the SPARQL" links).
        "open": next((e["name"] for e in examples if e["name"] == request.args.get("example")), None),
    }
    return render_template("canned/editor.html", config=config, examples=examples, lang=lang,
                           missing=vendor_missing())
