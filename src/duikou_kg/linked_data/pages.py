"""Turn a ``Description`` into the plain dicts the HTML templates render (labels chosen by language)."""

from __future__ import annotations

from ..namespaces import DKO, RDF, SKOS
from .describe import DESCRIPTION_PROPERTIES, LABEL_PROPERTIES, Citation, Description, Property, Value
from .iris import IriMapper

# Shown in the heading/intro, not repeated in the property table.
HIDDEN_IN_TABLE = {RDF + "type", *LABEL_PROPERTIES}
# Citations are shown beside their pairing, not as bare links.
PROPERTY_ORDER = (SKOS + "altLabel", *DESCRIPTION_PROPERTIES)


def pick_lang(requested: str | None, accept_languages) -> str:
    if requested in ("zh", "en"):
        return requested
    return accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def value_view(value: Value, lang: str, mapper: IriMapper, sources: dict[str, dict[str, Citation]]) -> dict:
    view = {"text": value.text(lang), "inferred": value.inferred, "href": None, "external": None, "lang": None,
            "sources": []}
    if value.is_literal:
        view["lang"] = value.term.language
        return view
    if value.iri:
        view["href"] = mapper.to_local(value.iri)
        if view["href"] is None and value.iri.startswith(("http://", "https://")):
            view["external"] = value.iri
        view["sources"] = citations_view(sources.get(value.iri, {}), lang, mapper)
    return view


def citations_view(cites: dict[str, Citation], lang: str, mapper: IriMapper) -> list[dict]:
    return [
        {
            "href": mapper.to_local(c.iri),
            "work": c.work_labels.pick(lang, c.work or ""),
            "work_href": mapper.to_local(c.work) if c.work else None,
            "fields": dict(c.fields),
        }
        for _, c in sorted(cites.items())
    ]


def _props_view(props: dict[str, Property], lang: str, mapper: IriMapper, sources, *, inverse: bool) -> list[dict]:
    rows = []
    for iri, prop in props.items():
        if not inverse and iri in HIDDEN_IN_TABLE:
            continue
        values = sorted((value_view(v, lang, mapper, sources) for v in prop.values.values()),
                        key=lambda v: (v["inferred"], v["text"]))
        rows.append({"iri": iri, "href": mapper.to_local(iri) or iri,
                     "text": prop.inverse_text(lang) if inverse else prop.text(lang), "values": values})
    first = {iri: i for i, iri in enumerate(PROPERTY_ORDER)}
    rows.sort(key=lambda r: (first.get(r["iri"], len(first)), not r["iri"].startswith(DKO), r["text"]))
    return rows


def page_view(d: Description, lang: str, mapper: IriMapper) -> dict:
    """Everything resource.html needs except URLs of the request."""
    labels = d.labels()
    fallback = d.iri.rsplit("/", 1)[-1]
    return {
        "title": labels.pick(lang, fallback),
        "description": d.description().pick(lang),
        "types": [value_view(v, lang, mapper, {}) for v in d.types()],
        "properties": _props_view(d.properties, lang, mapper, d.sources, inverse=False),
        "inverse": _props_view(d.inverse, lang, mapper, d.sources, inverse=True),
        "own_sources": citations_view(d.sources.get(d.iri, {}), lang, mapper),
    }
