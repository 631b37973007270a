"""Canned queries: one ``queries/<name>.rq`` file is one API operation.

The metadata sits in ``#+ `` comment lines at the top of the file (YAML once the ``#+ `` is taken off),
so the file stays a valid SPARQL query that runs as it is in the editor::

    #+ summary: {en: All pairings of a place, zh: 某地的全部结对关系}
    #+ description: {en: "…", zh: "…"}
    #+ tags: [places]
    #+ parameters:
    #+   place: {type: iri, class: dko:AdministrativeUnit, namespace: actor, required: true, example: beijing}
    #+   lang: {type: language, default: en}
    #+ limit: {default: 100, max: 1000}
    PREFIX dko: <https://w3id.org/duikou/ontology#>
    SELECT ?pairing ?place … WHERE { … }

Every parameter is a variable of the query (``?place``), bound as a ``VALUES`` row (``runner.bound_text``);
it must therefore be projected by the query (SEP-0007), and it is required or has a default.

``limit: {…, inner: true}``: the query computes its page in a sub-select that opens the WHERE group and
holds the file's one ``LIMIT`` (written as ``default + 1``); the runner binds the parameters inside that
sub-select and sets the LIMIT to the page's last row + 1 (``CannedQuery.text_for_rows``,
``examples.binding_offset``).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from .params import Parameter

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CannedQuery",
    "Catalog",
    "MetadataError",
    "load_catalog",
    "parse_query_file",
]

#: Rows per page when the caller gives no ``limit``.
DEFAULT_LIMIT = 100
#: Largest ``limit`` any canned query accepts (400 above it).
MAX_LIMIT = 1000

#: Query-string arguments the API reads itself; no parameter may take these names.
RESERVED_ARGUMENTS = frozenset({"limit", "offset", "raw", "format"})

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_META_LINE = re.compile(r"^#\+ ?(.*)$")
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
_LANGS = ("en", "zh")
_TOP_KEYS = {"summary", "description", "tags", "parameters", "limit"}


_INNER_LIMIT = re.compile(r"\bLIMIT\s+[0-9]+\b")


class MetadataError(ValueError):
    """A ``.rq`` file whose metadata is missing, malformed or inconsistent with the query."""


@dataclasses.dataclass(frozen=True)
class CannedQuery:
    name: str
    summary: Mapping[str, str]
    description: Mapping[str, str]
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    default_limit: int
    max_limit: int
    form: str  # SELECT or CONSTRUCT
    text: str  # the whole file, metadata lines included (they are comments)
    # ``limit: {inner: true}``: the page is computed in the sub-select that opens the WHERE group (its one
    # ``LIMIT`` is the page's last row + 1, set per request) and the other columns are joined to its rows.
    inner_limit: bool = False

    def text_for_rows(self, rows: int) -> str:
        """The text that reads ``rows`` solutions: the inner LIMIT set to ``rows`` (other queries: as is)."""
        if not self.inner_limit:
            return self.text
        return _INNER_LIMIT.sub(f"LIMIT {int(rows)}", self.text, count=1)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def is_graph(self) -> bool:
        return self.form == "CONSTRUCT"

    def describe(self) -> dict[str, Any]:
        """The query's metadata as plain JSON data (for ``/api/queries``)."""
        return {
            "name": self.name,
            "summary": dict(self.summary),
            "description": dict(self.description),
            "tags": list(self.tags),
            "form": self.form,
            "limit": {"default": self.default_limit, "max": self.max_limit},
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "example": p.example,
                    "description": dict(p.description),
                    **({"class": list(p.classes)} if p.classes else {}),
                    **({"scheme": p.scheme} if p.scheme else {}),
                    **({"enum": p.choices()} if p.choices() else {}),
                }
                for p in self.parameters
            ],
        }


def _bilingual(value: Any, what: str, path: Path) -> dict[str, str]:
    if not isinstance(value, Mapping) or any(not isinstance(value.get(lang), str) or not value[lang].strip()
                                             for lang in _LANGS):
        raise MetadataError(f"{path.name}: {what} needs non-empty 'en' and 'zh' texts")
    return {lang: value[lang].strip() for lang in _LANGS}


def _metadata_block(text: str) -> str:
    lines = []
    for line in text.splitlines():
        match = _META_LINE.match(line)
        if match:
            lines.append(match.group(1))
        elif line.strip() and not line.lstrip().startswith("#"):
            break  # metadata only at the top
    return "\n".join(lines)


def _strip_comments(text: str) -> str:
    """Drop ``#`` comments outside IRIs and strings, for finding the query form."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if ch in "\"'":
            end = text.find(ch, i + 1)
            while end != -1 and text[end - 1] == "\\":
                end = text.find(ch, end + 1)
            end = n if end == -1 else end + 1
            out.append(" ")
            i = end
            continue
        if ch == "<":
            end = text.find(">", i + 1)
            if end != -1 and not any(c in text[i + 1:end] for c in " \n\t"):
                out.append(" ")
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_query_file(path: Path) -> CannedQuery:
    """Read one ``.rq`` file; raises ``MetadataError`` naming the file when anything is off."""
    path = Path(path)
    name = path.stem
    if not _NAME.match(name):
        raise MetadataError(f"{path.name}: file names are lowercase words joined by '-'")
    text = path.read_text(encoding="utf-8")
    try:
        meta = yaml.safe_load(_metadata_block(text)) or {}
    except yaml.YAMLError as exc:
        raise MetadataError(f"{path.name}: metadata is not valid YAML: {exc}") from None
    if not isinstance(meta, Mapping):
        raise MetadataError(f"{path.name}: metadata must be a mapping")
    unknown = set(meta) - _TOP_KEYS
    if unknown:
        raise MetadataError(f"{path.name}: unknown metadata keys {sorted(unknown)}")
    form_match = _FORM.search(_strip_comments(text))
    form = form_match.group(1).upper() if form_match else ""
    if form not in ("SELECT", "CONSTRUCT"):
        raise MetadataError(f"{path.name}: canned queries are SELECT or CONSTRUCT, found {form or 'nothing'}")
    parameters = []
    for param_name, spec in (meta.get("parameters") or {}).items():
        if param_name in RESERVED_ARGUMENTS:
            raise MetadataError(f"{path.name}: parameter name {param_name!r} is reserved")
        if not isinstance(spec, Mapping):
            raise MetadataError(f"{path.name}: parameter {param_name!r} must be a mapping")
        try:
            parameters.append(Parameter.from_metadata(param_name, spec))
        except ValueError as exc:
            raise MetadataError(f"{path.name}: {exc}") from None
        if not re.search(r"[?$]" + re.escape(param_name) + r"\b", text):
            raise MetadataError(f"{path.name}: parameter {param_name!r} is not a variable of the query")
    limit = meta.get("limit") or {}
    default_limit = int(limit.get("default", DEFAULT_LIMIT))
    max_limit = int(limit.get("max", MAX_LIMIT))
    if not 1 <= default_limit <= max_limit <= MAX_LIMIT:
        raise MetadataError(f"{path.name}: need 1 <= limit.default <= limit.max <= {MAX_LIMIT}")
    inner_limit = limit.get("inner", False)
    if not isinstance(inner_limit, bool):
        raise MetadataError(f"{path.name}: limit.inner is true or false")
    if inner_limit:
        _check_inner_limit(path, text, default_limit, form)
    tags = meta.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise MetadataError(f"{path.name}: tags must be a list of strings")
    return CannedQuery(
        name=name,
        summary=_bilingual(meta.get("summary"), "summary", path),
        description=_bilingual(meta.get("description"), "description", path),
        tags=tuple(tags),
        parameters=tuple(parameters),
        default_limit=default_limit,
        max_limit=max_limit,
        form=form,
        text=text,
        inner_limit=inner_limit,
    )


def _check_inner_limit(path: Path, text: str, default_limit: int, form: str) -> None:
    """The sub-select that computes the page opens the WHERE group and holds the file's only LIMIT, written as
    the default page plus one (so the file runs as it is in the editor)."""
    from .examples import subselect_body_offset

    if form != "SELECT":
        raise MetadataError(f"{path.name}: limit.inner needs a SELECT query")
    try:
        subselect_body_offset(text)
    except ValueError:
        raise MetadataError(f"{path.name}: limit.inner needs a sub-select opening the WHERE group") from None
    limits = _INNER_LIMIT.findall(_strip_comments(text))
    found = list(_INNER_LIMIT.finditer(text))
    if len(limits) != 1 or len(found) != 1 or found[0].start() > text.rfind("}"):
        raise MetadataError(f"{path.name}: limit.inner needs exactly one 'LIMIT <n>', in the sub-select")
    if int(limits[0].split()[-1]) != default_limit + 1:
        raise MetadataError(f"{path.name}: with limit.inner the LIMIT must be limit.default + 1 = {default_limit + 1}")


class Catalog:
    """The canned queries of a folder, by name, in name order."""

    def __init__(self, queries: Iterable[CannedQuery]):
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    def __iter__(self):
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def get(self, name: str) -> CannedQuery | None:
        return self._queries.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._queries)


def load_catalog(folder: Path) -> Catalog:
    """Every ``*.rq`` directly in ``folder`` (not ``checks/``)."""
    return Catalog(parse_query_file(path) for path in sorted(Path(folder).glob("*.rq")))
