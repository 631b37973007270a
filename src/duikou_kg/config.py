"""Settings: one table of every knob, read from the environment with keyword overrides.

The table (``settings_table()``) is the single place a setting is declared, so the README
and ``duikou-kg --help`` can print it and a test can check nothing is undocumented.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Callable


@dataclasses.dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    default: Any  # a value, or a callable taking the partly resolved settings dict
    env: str
    help: str
    parse: Callable[[str], Any] = str

    def default_text(self) -> str:
        """The default as a human reads it in the README."""
        return DERIVED_DEFAULT_TEXT.get(self.name, str(self.default))


def find_project_root(start: Path | None = None) -> Path:
    """The checkout root: the nearest ancestor of the package holding ``ontology/``.

    The package is installed editable, so its source lives inside the checkout.
    Falls back to the working directory when run from an installed copy.
    """
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        if (folder / "ontology").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"expected a positive integer, got {text!r}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(f"expected a TCP port 0-65535, got {text!r}")
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"expected true/false, got {text!r}")
    return value in ("1", "true", "yes", "on")


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"expected a non-negative integer, got {text!r}")
    return value


def _auth(text: str) -> str:
    value = text.strip().lower()
    if value not in ("basic", "digest"):
        raise ValueError(f"expected basic or digest, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise ValueError(f"expected a number >= 0, got {text!r}")
    return value


def _base_iri(text: str) -> str:
    if not text.endswith("/"):
        raise ValueError(f"a base IRI must end with '/', got {text!r}")
    return text


class CuratorTokens:
    """``name:token`` pairs of the curators allowed to write; the tokens never appear in a repr or a log."""

    def __init__(self, pairs: tuple[tuple[str, str], ...] = ()) -> None:
        self._pairs = pairs

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._pairs)

    def pairs(self) -> tuple[tuple[str, str], ...]:
        return self._pairs

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CuratorTokens) and other._pairs == self._pairs

    def __hash__(self) -> int:
        return hash(self.names)

    def __repr__(self) -> str:
        return f"CuratorTokens({', '.join(self.names)})"


def _curator_tokens(text: str) -> CuratorTokens:
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, token = item.partition(":")
        if not sep or not name.strip() or len(token.strip()) < 16:
            raise ValueError(f"expected name:token pairs with tokens of 16+ characters, got an entry for {name.strip()!r}")
        pairs.append((name.strip(), token.strip()))
    return CuratorTokens(tuple(pairs))


def _pause(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(f"expected a non-negative number of seconds, got {text!r}")
    return value


# Defaults that depend on other settings are shown to readers as text, not as a value.
DERIVED_DEFAULT_TEXT = {
    "project_root": "the checkout holding ontology/",
    "data_dir": "<project_root>/var",
    "curator_tokens": "none",
}

_TABLE: tuple[Setting, ...] = (
    Setting("project_root", lambda _: find_project_root(), "DUIKOU_KG_ROOT",
            "Folder holding ontology/ and data/ttl/ (the sources of the build).", Path),
    Setting("data_dir", lambda resolved: resolved["project_root"] / "var", "DUIKOU_KG_DATA_DIR",
            "Folder for builds of the store (builds/<id>/) and the 'current' pointer.", Path),
    Setting("host", "127.0.0.1", "DUIKOU_KG_HOST", "Interface `duikou-kg serve` listens on."),
    Setting("port", 8000, "DUIKOU_KG_PORT", "TCP port `duikou-kg serve` listens on.", _port),
    Setting("threads", 4, "DUIKOU_KG_THREADS", "Worker threads of the waitress server.", _positive_int),
    Setting("public_base", "https://w3id.org/duikou/", "DUIKOU_KG_PUBLIC_BASE",
            "Public base IRI of the knowledge graph's identifiers.", _base_iri),
    Setting("max_request_bytes", 1_000_000, "DUIKOU_KG_MAX_REQUEST_BYTES",
            "Largest HTTP request body accepted on every route (413 with the error envelope above it; "
            "`duikou-kg serve` also has waitress drop bodies over twice this size before buffering them).",
            _positive_int),
    Setting("max_query_length", 100_000, "DUIKOU_KG_MAX_QUERY_LENGTH",
            "Longest SPARQL query text accepted, in characters (413 above it).", _positive_int),
    Setting("max_query_nesting", 64, "DUIKOU_KG_MAX_QUERY_NESTING",
            "Deepest nesting of ( [ { in a SPARQL query (400 above it): deeper queries crash or stall the "
            "query parser, which recurses once per level.", _positive_int),
    Setting("rate_limit", 20.0, "DUIKOU_KG_RATE_LIMIT",
            "Requests per second each client address may make on average, reads and writes alike "
            "(429 with Retry-After above it); 0 turns the limit off.", _non_negative_float),
    Setting("rate_limit_burst", 100, "DUIKOU_KG_RATE_LIMIT_BURST",
            "Requests a client address may make at once before the per-second rate applies.", _positive_int),
    Setting("thread_stack_mib", 256, "DUIKOU_KG_THREAD_STACK_MIB",
            "Stack size in MiB of the server's worker threads; the query engine recurses on long operator "
            "chains, and a stack overflow would end the whole process (address space, not memory in use).",
            _positive_int),
    Setting("max_result_rows", 100_000, "DUIKOU_KG_MAX_RESULT_ROWS",
            "Most rows (solutions or triples) a /sparql or canned-query answer carries; beyond it the answer is "
            "cut and says so (header X-Duikou-Result-Truncated, `\"truncated\": true` in SPARQL JSON).", _positive_int),
    # Query time limit (duikou_kg.query_workers): embedded queries run in killable worker processes.
    Setting("query_timeout", 10.0, "DUIKOU_KG_QUERY_TIMEOUT",
            "Seconds a /sparql or canned query may run (waiting for a worker included); at the limit its worker "
            "process is killed and the client gets 503 query_timeout. 0: evaluate in the server, no limit. "
            "Remote backend: sent as the request timeout.",
            _seconds),
    Setting("query_workers", 4, "DUIKOU_KG_QUERY_WORKERS",
            "Fast slots of the query pool: worker processes every query starts on.", _positive_int),
    Setting("query_slow_workers", 2, "DUIKOU_KG_QUERY_SLOW_WORKERS",
            "Slots for queries running longer than DUIKOU_KG_QUERY_SLOW_AFTER; when all are taken, a query "
            "crossing that threshold is stopped (503 query_timeout, slow_lane_full).", _positive_int),
    Setting("query_slow_after", 1.0, "DUIKOU_KG_QUERY_SLOW_AFTER",
            "Seconds after which a running query leaves its fast slot for a slow one.", _seconds),
    # Remote backend (docs/backends.md): with a SPARQL URL the service reads a SPARQL 1.1 store instead
    # of the embedded Oxigraph build, and `duikou-kg push` loads the build into it.
    Setting("sparql_url", "", "DUIKOU_KG_SPARQL_URL",
            "Query URL of a SPARQL 1.1 store to serve from instead of the embedded store (empty: embedded)."),
    Setting("sparql_update_url", "", "DUIKOU_KG_SPARQL_UPDATE_URL",
            "Update URL of that store, used by `duikou-kg push` (empty: the query URL)."),
    Setting("graph_store_url", "", "DUIKOU_KG_GRAPH_STORE_URL",
            "Graph Store Protocol URL `duikou-kg push` uploads to (empty: INSERT DATA through the update URL)."),
    Setting("sparql_user", "", "DUIKOU_KG_SPARQL_USER", "User name for the store's update and Graph Store URLs."),
    Setting("sparql_password", "", "DUIKOU_KG_SPARQL_PASSWORD", "Password of that user."),
    Setting("sparql_auth", "basic", "DUIKOU_KG_SPARQL_AUTH",
            "HTTP authentication scheme of the store: basic or digest (Virtuoso's /sparql-auth).", _auth),
    Setting("sparql_timeout", 60.0, "DUIKOU_KG_SPARQL_TIMEOUT",
            "Seconds to wait for the remote store's answer to one of the service's own reads (pages, search index, "
            "dumps, validation, the start-up check, push); clients' queries get DUIKOU_KG_QUERY_TIMEOUT.", _seconds),
    Setting("sparql_union_default", False, "DUIKOU_KG_SPARQL_UNION_DEFAULT",
            "true: the store's default graph already is the union of the pushed graphs, so queries go without "
            "FROM/FROM NAMED clauses (false: the service names the pushed graphs in each query).", _flag),
    Setting("sparql_page_rows", 0, "DUIKOU_KG_SPARQL_PAGE_ROWS",
            "Read whole graphs from the remote store (dumps, validation) in pages of this many rows, for a store "
            "that cuts its answers (Virtuoso's ResultSetMaxRows); 0: one request per graph.", _count),
    Setting("sparql_refresh_seconds", 2.0, "DUIKOU_KG_SPARQL_REFRESH_SECONDS",
            "How often the service re-reads the load record of the remote store to notice a new push.", _seconds),
    Setting("cache_entries", 512, "DUIKOU_KG_CACHE_ENTRIES",
            "Answers kept in memory per data version, for canned queries and for pages and search (each its own "
            "LRU; 0: no cache).", _count),
    Setting("curator_tokens", CuratorTokens(), "DUIKOU_KG_CURATOR_TOKENS",
            "Curators who may write, as `name:token,…` (tokens of 16+ characters); none: no writes.",
            _curator_tokens),
    Setting("curation_commit_pause", 0.0, "DUIKOU_KG_CURATION_COMMIT_PAUSE",
            "Test hook: seconds an accept waits between writing its folder and switching the build.", _pause),
)


def settings_table() -> tuple[Setting, ...]:
    """Every setting: name, default, environment variable and help text."""
    return _TABLE


@dataclasses.dataclass(frozen=True)
class Settings:
    project_root: Path
    data_dir: Path
    host: str
    port: int
    threads: int
    public_base: str
    max_request_bytes: int
    max_query_length: int
    max_query_nesting: int
    rate_limit: float
    rate_limit_burst: int
    thread_stack_mib: int
    max_result_rows: int
    query_timeout: float = 10.0
    query_workers: int = 4
    query_slow_workers: int = 2
    query_slow_after: float = 1.0
    curator_tokens: CuratorTokens = CuratorTokens()
    curation_commit_pause: float = 0.0

    sparql_url: str = ""
    sparql_update_url: str = ""
    graph_store_url: str = ""
    sparql_user: str = ""
    sparql_password: str = ""
    sparql_auth: str = "basic"
    sparql_timeout: float = 60.0
    sparql_union_default: bool = False
    sparql_page_rows: int = 0
    sparql_refresh_seconds: float = 2.0
    cache_entries: int = 512

    @property
    def remote(self) -> bool:
        """True when the service reads a remote SPARQL store rather than the embedded build."""
        return bool(self.sparql_url)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then environment variables, then keyword overrides (highest).

        Raises ``ValueError`` naming the variable when an environment value does not parse.
        """
        environ = os.environ if environ is None else environ
        unknown = set(overrides) - {row.name for row in _TABLE}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        resolved: dict[str, Any] = {}
        for row in _TABLE:  # in table order, so derived defaults see what they depend on
            if row.name in overrides and overrides[row.name] is not None:
                value = overrides[row.name]
                value = Path(value) if row.parse is Path else value
            elif environ.get(row.env):
                try:
                    value = row.parse(environ[row.env])
                except ValueError as exc:
                    raise ValueError(f"{row.env}: {exc}") from None
            else:
                value = row.default(resolved) if callable(row.default) else row.default
            resolved[row.name] = value
        resolved["project_root"] = Path(resolved["project_root"]).resolve()
        resolved["data_dir"] = Path(resolved["data_dir"]).resolve()
        return cls(**resolved)
