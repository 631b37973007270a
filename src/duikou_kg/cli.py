"""The ``duikou-kg`` command: build, serve, query, dump, validate, stats, plot.

Exit codes: 0 ok, 1 query errors / validation violations / failed builds, 2 usage errors.
User errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from pathlib import Path

import click

from .config import Settings, settings_table
from .errors import ApiError
from .formats import GRAPH_FORMATS, SOLUTION_FORMATS, by_name, formats_for, serialize_result
from .store import BuildError, BuildInfo, KnowledgeStore, build_store, current_build, is_stale, open_store

QUERY_FORMATS = by_name(SOLUTION_FORMATS + GRAPH_FORMATS)
DUMP_EXTENSIONS = ["ttl", "nt", "nq", "jsonld"]


class Failure(click.ClickException):
    """A failure that is not the user's typing: exit code 1, one line on stderr."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # engines' messages span lines; stderr gets one


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings) or Settings.from_env()


def _open(ctx: click.Context) -> KnowledgeStore:
    """The store the settings name: the embedded build (built if needed) or the remote SPARQL store."""
    from .backends import open_backend

    try:
        return open_backend(_settings(ctx))
    except BuildError as exc:
        raise Failure(f"build failed: {exc}") from None


def _settings_help() -> str:
    rows = "\n".join(f"  {row.env:<28} {row.help} (default: {row.default_text()})" for row in settings_table())
    return "Environment variables:\n\n\b\n" + rows


@click.group(epilog=_settings_help())
@click.pass_context
def main(ctx: click.Context) -> None:
    """duikou-kg: a knowledge graph of China's counterpart-support policy (对口支援)."""
    try:
        ctx.obj = Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _print_build(info: BuildInfo) -> None:
    width = max((len(source) for source in info.graph_sources.values()), default=0)
    for graph, count in info.graph_counts.items():
        click.echo(f"{info.graph_sources[graph]:<{width}}  {count:>8}")
    click.echo(f"{'inferred':<{width}}  {info.inferred_count:>8}")
    click.echo(f"{'total':<{width}}  {info.triple_count:>8}")
    click.echo(
        f"build {info.build_id}: {info.build_seconds:.2f} s "
        f"(inference {info.inference_seconds:.2f} s, {info.inference_rounds} rounds)"
    )


@main.command()
@click.pass_context
def build(ctx: click.Context) -> None:
    """Load the sources, infer, and make the new store current."""
    try:
        info = build_store(_settings(ctx))
    except BuildError as exc:
        raise Failure(f"build failed: {exc}") from None
    _print_build(info)


@main.command()
@click.option("--host", help="Interface to listen on (default: DUIKOU_KG_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="TCP port (default: DUIKOU_KG_PORT or 8000).")
@click.option("--threads", type=click.IntRange(1, 256), help="Worker threads (default: DUIKOU_KG_THREADS or 4).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the SPARQL endpoint and the web API with waitress (builds first if needed)."""
    import waitress

    from .web import create_app

    base = _settings(ctx)
    settings = Settings.from_env(
        project_root=base.project_root, data_dir=base.data_dir,
        host=host or base.host, port=base.port if port is None else port, threads=threads or base.threads,
    )
    settings = dataclasses.replace(base, host=settings.host, port=settings.port, threads=settings.threads)
    store = _open(ctx)  # build (if needed) before listening, so the first request is fast
    # A query worker with the build open starts now, beside the rest of start-up (the first answer needs it).
    worker_warm_up = threading.Thread(target=_warm_query_worker, args=(settings, store), name="warm-up", daemon=True)
    worker_warm_up.start()
    if settings.remote:  # say at start what works on the remote store, or refuse to start
        try:
            for line in store.check():
                click.echo(f"duikou-kg: {line}")
        except ApiError as exc:
            raise Failure(f"cannot serve from {settings.sparql_url}: {exc.message}") from None
    # Dumps are written beside the running server: the first answer does not wait for them.
    threading.Thread(target=_ensure_dumps, args=(store, settings.data_dir / "dumps"),
                     name="dumps", daemon=True).start()
    app = create_app(settings)
    from .web.curation import close_validation

    # The validation services and HermiT start beside the server once the query worker is up, so their
    # start does not compete with the first answer for the CPU.
    threading.Thread(target=_start_validation_after, args=(app, worker_warm_up), name="validation", daemon=True).start()
    # Worker threads get a deep stack (the query engine recurses on long operator chains; an overflow
    # would end the process), and waitress drops bodies far over the limit before buffering them.
    threading.stack_size(settings.thread_stack_mib * 1024 * 1024)
    server = waitress.create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                                    max_request_body_size=2 * settings.max_request_bytes)
    click.echo(f"duikou-kg: {store.triple_count} triples; SPARQL endpoint at "
               f"http://{settings.host}:{server.effective_port}/sparql", err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        close_validation(app)


def _warm_query_worker(settings: Settings, store) -> None:
    from . import query_workers

    if not settings.remote:
        try:
            query_workers.warm_up(settings, store)
        except ApiError as exc:  # the first request will say it again, with its status
            click.echo(f"duikou-kg: query worker warm-up failed: {exc.message}", err=True)


def _start_validation_after(app, warm_up: threading.Thread) -> None:
    from .web.curation import start_validation

    warm_up.join()
    start_validation(app)


def _ensure_dumps(store: KnowledgeStore, folder: Path) -> None:
    """Write the dump set that /dumps/ serves unless it already matches this build."""
    from .linked_data.dumps import dumps_are_current, write_dumps

    if not dumps_are_current(store, folder):
        write_dumps(store, folder)


@main.command()
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--name", help="Run the canned query of this name (queries/*.rq).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Parameter of a canned query.")
@click.option("--format", "format_name", type=click.Choice(sorted(QUERY_FORMATS)),
              help="Result format (default: json for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE).")
@click.pass_context
def query(ctx: click.Context, sparql: str | None, query_file: Path | None, name: str | None,
          params: tuple[str, ...], format_name: str | None) -> None:
    """Run a SPARQL query (text, --file) or a canned query (--name) against the current build."""
    if sum(x is not None for x in (sparql, query_file, name)) != 1:
        raise click.UsageError("give exactly one of: a query, --file F.rq, --name NAME")
    if params and not name:
        raise click.UsageError("--param only goes with --name")
    store = _open(ctx)
    if name:
        _run_canned(ctx, store, name, params, format_name)
        return
    text = query_file.read_text(encoding="utf-8") if query_file else sparql
    try:
        result = store.query(text)
        formats = formats_for(result)
        fmt = formats[0] if format_name is None else by_name(formats).get(format_name)
        if fmt is None:
            raise click.UsageError(
                f"--format {format_name} does not fit this query's results; use one of {', '.join(by_name(formats))}"
            )
        output = serialize_result(result, fmt)
    except ApiError as exc:
        raise Failure(exc.message) from None
    except OSError as exc:  # e.g. an evaluation error reported by the engine
        raise Failure(str(exc)) from None
    click.echo(output.decode("utf-8"), nl=not output.endswith(b"\n"))


def _run_canned(ctx: click.Context, store: KnowledgeStore, name: str, params: tuple[str, ...],
                format_name: str | None) -> None:
    from .canned.command import CannedCommandError, run_named

    try:
        output = run_named(store, name, params, format_name or "json",
                           queries_dir=_settings(ctx).project_root / "queries")
    except CannedCommandError as exc:
        raise click.UsageError(str(exc)) from None
    except ApiError as exc:
        raise Failure(exc.message) from None
    click.echo(output.decode("utf-8"), nl=not output.endswith(b"\n"))


@main.command()
@click.option("--format", "format_name", type=click.Choice(DUMP_EXTENSIONS),
              help="Write one uncompressed dump in this format (to --out or standard output) instead of the full set.")
@click.option("--no-inferred", is_flag=True, help="With --format: leave out the inferred graph.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="With --format: write to this file instead of standard output.")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Without --format: folder for the full set (default: <data dir>/dumps, which /dumps/ serves).")
@click.pass_context
def dump(ctx: click.Context, format_name: str | None, no_inferred: bool, out: Path | None,
         out_dir: Path | None) -> None:
    """Dump the whole graph.

    Without --format: every format (ttl, nt, nq, jsonld) with and without inferred triples, gzip-compressed, each
    with a .sha256 file, plus dumps.json. With --format: one dump; nq and jsonld keep the named graphs, ttl and nt
    hold the merge of all graphs.
    """
    from .linked_data.dumps import format_for, serialize_dump, store_quads, write_dumps

    store = _open(ctx)
    if format_name is None:
        if out or no_inferred:
            raise click.UsageError("--out and --no-inferred go with --format")
        folder = out_dir or _settings(ctx).data_dir / "dumps"
        for entry in write_dumps(store, folder):
            click.echo(f"{folder / entry.name}  {entry.statements} statements  sha256 {entry.sha256}")
        return
    if out_dir:
        raise click.UsageError("--dir goes without --format")
    data, count = serialize_dump(store_quads(store, include_inferred=not no_inferred), format_for(format_name))
    if out:
        out.write_bytes(data)
        click.echo(f"wrote {count} statements to {out}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


@main.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Print the coverage table per program (pairings, supporters, recipients, evidence, years) as Markdown."""
    from .stats import coverage_markdown, program_coverage

    click.echo(coverage_markdown(program_coverage(_open(ctx))), nl=False)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], lang: str) -> None:
    """Validate FILES (or, without any, the project's data) with SHACL, HermiT and SPARQL checks.

    FILES are checked incrementally against the current build (with accepted curated submissions) when
    that build is up to date with the sources, otherwise fully against the sources under data/ttl.
    """
    from .validation import validate_files

    settings = _settings(ctx)
    try:
        if settings.remote and files:  # the current graph is the one in the remote store
            report = _validate_against_remote(ctx, list(files))
        elif files and _fresh_build(settings):
            report = _validate_against_build(settings, list(files))
        else:
            report = validate_files(list(files), settings)
    except (ValueError, OSError) as exc:  # unreadable or unparsable input
        raise Failure(str(exc)) from None
    scope = report.scope or {"mode": "full"}
    against = f"build {scope['build']}" if "build" in scope else "the sources"
    click.echo(f"({scope['mode']} validation against {against})", err=True)
    click.echo(report.to_text(lang=lang))
    if not report.conforms:
        ctx.exit(1)


@main.command()
@click.argument("kind", type=click.Choice(["map", "network", "timeline", "program", "variant", "sector", "decade"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The picture to write: FILE.png or FILE.svg.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the labels.")
@click.option("--variant", type=click.Choice(["support", "assistance", "cooperation"]), help="Only this variant.")
@click.option("--program", help="Only this program (slug or IRI), e.g. tibet.")
@click.option("--sector", help="Only this sector (slug or IRI), e.g. poverty-alleviation.")
@click.option("--year", type=click.IntRange(1900, 2100), help="Only pairings in force in this year.")
@click.pass_context
def plot(ctx: click.Context, kind: str, out: Path, lang: str, variant: str | None, program: str | None,
         sector: str | None, year: int | None) -> None:
    """Draw a picture of the pairings (the pages /map, /network, /timeline, /charts) as PNG or SVG."""
    from .pictures.data import load_picture_data
    from .pictures.plot import PlotError, render

    if out.suffix.lower() not in (".png", ".svg"):
        raise click.UsageError(f"--out must end in .png or .svg, got {out.name!r}")
    data = load_picture_data(_open(ctx), _settings(ctx).project_root / "queries", lang=lang)
    try:
        drawn = render(kind, data, out, variant=variant, program=program, sector=sector, year=year)
    except PlotError as exc:
        raise click.UsageError(str(exc)) from None
    details = ", ".join(f"{k} {v}" for k, v in drawn.items() if k != "kind")
    click.echo(f"wrote {out} ({kind}: {details})", err=True)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The source document of the facts (an IRI or a citation text).")
@click.option("--remove", "remove_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="RDF file of triples to remove.")
@click.option("--comment", default="", help="Why: recorded in the provenance.")
@click.option("--curator", default=None, help="Name recorded as curator (default: the login name).")
@click.option("--accept", is_flag=True, help="Accept the submission if it is valid (default: dry run only).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.pass_context
def submit(ctx: click.Context, file: Path, source: str, remove_file: Path | None, comment: str,
           curator: str | None, accept: bool, lang: str) -> None:
    """Submit the triples of FILE (and removals) as a curation submission; with --accept, commit it."""
    import getpass

    from .curation import Curation
    from .validation import parse_file

    try:
        additions = parse_file(file)
        removals = parse_file(remove_file) if remove_file else None
        curation = Curation(_settings(ctx))
        name = curator or getpass.getuser()
        submission = curation.submit(additions, removals, curator=name, source=source, comment=comment)
        click.echo(f"submission {submission.id}: +{len(submission.diff['added'])} "
                   f"-{len(submission.diff['removed'])} triples")
        for line in submission.diff["added"]:
            click.echo(f"+ {line}")
        for line in submission.diff["removed"]:
            click.echo(f"- {line}")
        click.echo(submission.report["text"][lang], nl=False)
        if not submission.conforms:
            raise Failure(f"submission {submission.id} does not conform; not accepted")
        if accept:
            accepted = curation.accept(submission.id, curator=name)
            click.echo(f"accepted: {accepted.folder}")
    except ApiError as exc:
        raise Failure(exc.message) from None
    except (ValueError, OSError, BuildError) as exc:
        raise Failure(str(exc)) from None


def _fresh_build(settings: Settings) -> bool:
    return not is_stale(settings, current_build(settings))


def _validate_against_build(settings: Settings, files: list[Path]):
    """Validate FILES incrementally against the current build (what the web API and curation do)."""
    from .validation import parse_files
    from .validation.context import ValidationContext
    from .validation.incremental import validate_incremental

    store = open_store(settings, rebuild_if_stale=False)
    with ValidationContext(settings) as context:
        report = validate_incremental(parse_files(files), store=store, context=context)
    report.scope["build"] = store.manifest.build_id
    return report


def _validate_against_remote(ctx: click.Context, files: list[Path]):
    """Validate FILES together with the asserted graphs read from the remote store."""
    import rdflib

    from .validation import parse_files, validate_graph

    base = rdflib.Graph()
    for quad in _open(ctx).quads(include_inferred=False):
        base.add(tuple(rdflib.util.from_n3(str(term)) for term in (quad.subject, quad.predicate, quad.object)))
    return validate_graph(parse_files(files), base=base, settings=_settings(ctx))


@main.command()
@click.option("--chunk", type=click.IntRange(100, 1_000_000), default=20_000, show_default=True,
              help="Triples per upload request.")
@click.pass_context
def push(ctx: click.Context, chunk: int) -> None:
    """Load the current build into the remote store (DUIKOU_KG_SPARQL_URL), replacing the previous load.

    Stages every graph under a new name, then swaps them in with one update request (docs/backends.md).
    """
    from .backends.push import push as push_build

    settings = _settings(ctx)
    if not settings.remote:
        raise click.UsageError("set DUIKOU_KG_SPARQL_URL (and the update / Graph Store URL) to push")
    try:
        build = open_store(settings)
    except BuildError as exc:
        raise Failure(f"build failed: {exc}") from None
    try:
        with click.progressbar(length=build.triple_count, label="push", file=sys.stderr) as bar:
            report = push_build(settings, build, chunk=chunk, progress=bar.update)
    except ApiError as exc:
        raise Failure(f"push failed: {exc.message}") from None
    click.echo(f"pushed build {report.build_id} as load {report.load_id}: {report.triples} triples in "
               f"{report.graphs} graphs ({report.method}); upload {report.upload_seconds:.1f} s, "
               f"swap {report.swap_seconds:.1f} s")
