"""Mapping between public IRIs (under the public base) and paths on the service."""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import BASE


@dataclass(frozen=True)
class IriMapper:
    """Translate ``public_base + rest`` ↔ ``service_root + rest``.

    >>> m = IriMapper("https://w3id.org/duikou/", "/app")
    >>> m.to_public("id/actor/beijing")
    'https://w3id.org/duikou/id/actor/beijing'
    >>> m.to_local("https://w3id.org/duikou/id/actor/beijing")
    '/app/id/actor/beijing'
    >>> m.to_local("http://www.wikidata.org/entity/Q956") is None
    True
    """

    public_base: str = BASE
    service_root: str = ""  # the request's script root: "" when the app is mounted at "/"

    def to_public(self, rest: str) -> str:
        return self.public_base + rest.lstrip("/")

    def to_local(self, iri: str) -> str | None:
        """Service path of ``iri``, or None when it is not under the public base."""
        if not iri.startswith(self.public_base):
            return None
        return f"{self.service_root}/{iri[len(self.public_base):]}"

    def is_local(self, iri: str) -> bool:
        return self.to_local(iri) is not None
