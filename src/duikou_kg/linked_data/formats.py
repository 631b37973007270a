"""RDF formats served by the linked-data routes: one table of media type, extension and serialiser."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    rdf_format: ox.RdfFormat | None  # None: rendered as HTML or compacted JSON-LD by our own code
    aliases: tuple[str, ...] = ()


HTML = Format("html", "text/html", "html", None, ("application/xhtml+xml",))
TURTLE = Format("turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, ("application/x-turtle",))
NTRIPLES = Format("ntriples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES)
JSONLD = Format("jsonld", "application/ld+json", "jsonld", None, ("application/json",))
RDFXML = Format("rdfxml", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml"))

# Order matters: it breaks ties when a client accepts several formats with the same quality.
PAGE_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
RDF_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, RDFXML)
BY_EXTENSION = {f.extension: f for f in PAGE_FORMATS}


def split_extension(name: str) -> tuple[str, Format | None]:
    """``"beijing.ttl"`` → ``("beijing", TURTLE)``; a name without a known extension is returned whole."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext in BY_EXTENSION:
        return stem, BY_EXTENSION[ext]
    return name, None


def negotiate(accept: MIMEAccept, offered: tuple[Format, ...] = PAGE_FORMATS, default: Format = TURTLE) -> Format | None:
    """Best format for an ``Accept`` header; ``default`` when none was sent (or ``*/*``), None when nothing fits."""
    if not accept or accept.best == "*/*" and len(list(accept.values())) == 1:
        return default
    by_type = {}
    for fmt in offered:
        for media_type in (fmt.media_type, *fmt.aliases):
            by_type.setdefault(media_type, fmt)
    best = accept.best_match(list(by_type), default=None)
    return by_type[best] if best else None
