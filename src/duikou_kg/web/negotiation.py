"""Pick a result format from ``format=`` or the Accept header (parsed by Werkzeug)."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from ..errors import BadRequest, NotAcceptable
from ..formats import GRAPH_FORMATS, SOLUTION_FORMATS, ResultFormat, by_name


def _offers(formats: tuple[ResultFormat, ...]) -> list[str]:
    # Canonical types first, in table order, so "*/*" and ties pick the table's default.
    return [fmt.media_type for fmt in formats] + [alias for fmt in formats for alias in fmt.aliases]


def _from_media_type(formats: tuple[ResultFormat, ...], media_type: str) -> ResultFormat:
    return next(fmt for fmt in formats if media_type in fmt.media_types)


def choose(formats: tuple[ResultFormat, ...], accept: MIMEAccept, format_name: str | None) -> ResultFormat:
    """The format to answer in; raises ``NotAcceptable`` (406) or ``BadRequest`` for an unknown name."""
    if format_name:
        chosen = next((fmt for fmt in formats if fmt.answers_to(format_name)), None)
        if chosen is not None:
            return chosen
        if any(fmt.answers_to(format_name) for fmt in SOLUTION_FORMATS + GRAPH_FORMATS):
            raise NotAcceptable(
                f"format {format_name!r} does not fit this query's results; use one of {', '.join(by_name(formats))}"
            )
        known = by_name(SOLUTION_FORMATS + GRAPH_FORMATS)
        raise BadRequest(f"unknown format {format_name!r}; use one of {', '.join(known)}", code="unknown_format")
    if not accept:  # no Accept header: the default
        return formats[0]
    best = accept.best_match(_offers(formats))
    if best is None:
        raise NotAcceptable(
            "none of the accepted media types can express this result; offered: "
            + ", ".join(fmt.media_type for fmt in formats)
        )
    return _from_media_type(formats, best)


def accepts_any(accept: MIMEAccept, format_name: str | None) -> bool:
    """Could any result kind be served? Lets the endpoint answer 406 before evaluating a query."""
    if format_name or not accept:
        return True
    return accept.best_match(_offers(SOLUTION_FORMATS) + _offers(GRAPH_FORMATS)) is not None
