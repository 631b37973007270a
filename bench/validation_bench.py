"""Benchmark: incremental validation of a 100-triple submission vs full pySHACL re-validation.

    .venv/bin/python bench/validation_bench.py [--scale 1000000] [--full-limit 240] [--runs 3]

1. The real graph (this checkout's ontology and data, built into a temporary store).
2. Synthetic scale-ups shaped like the real graph: the real asserted data copied N times with every
   resource of the id namespace renamed per copy (``…/actor/beijing`` → ``…/actor/beijing-s7``; labels in
   zh and en get the copy number), while the shared vocabularies (concepts, programs, schemes, source
   works) stay single, so the classes, properties and fan-out are those of the real graph and the shared
   concepts are hubs that grow with the copies (schemes stay single too). Copies are added until asserted plus inferred triples
   reach 100 k and the ``--scale`` target (1 M by default).

At each size a 100-triple submission (ten new pairings between existing actors, each with labels,
sources and years) is validated incrementally (with and without HermiT; HermiT is the long-lived
process the validation context owns, started and warmed before the first timing, as ``duikou-kg serve``
does; the step times of the median run are printed), and full pySHACL
re-validation runs at 100 k, and at the large size in a child process stopped after ``--full-limit``
seconds. Nothing listens on a port. Prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from duikou_kg.config import Settings  # noqa: E402
from duikou_kg.inference import materialise  # noqa: E402
from duikou_kg.namespaces import ID_BASE, INFERRED_GRAPH  # noqa: E402
from duikou_kg.sources import discover_sources  # noqa: E402
from duikou_kg.store import open_store  # noqa: E402
from duikou_kg.validation.context import ValidationContext  # noqa: E402
from duikou_kg.validation.incremental import validate_incremental  # noqa: E402
from duikou_kg.validation.materialise import store_to_graph  # noqa: E402
from duikou_kg.validation.shacl import run_shacl  # noqa: E402

#: Resources every copy shares (vocabularies): not renamed.
SHARED = ("concept/", "program/", "work/", "scheme/")
RENAMED = re.compile(re.escape(ID_BASE) + r"(?!" + "|".join(map(re.escape, SHARED)) + r")([a-z]+/[^>\s\"]+)")


def _sources_store(root: Path) -> tuple[ox.Store, list[ox.Quad], list[ox.Quad]]:
    """The asserted quads of the real sources, split into ontology and data."""
    store = ox.Store()
    for source in discover_sources(root):
        if source.relative_path.startswith(("ontology/", "data/ttl/")):
            store.load(path=source.path, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(source.graph))
    ontology = [q for q in store if "/graph/ontology/" in q.graph_name.value]
    data = [q for q in store if "/graph/ontology/" not in q.graph_name.value]
    return store, ontology, data


def _copy_nquads(data: list[ox.Quad], copy: int) -> bytes:
    text = ox.serialize(data, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    text = RENAMED.sub(lambda m: f"{ID_BASE}{m.group(1)}-s{copy}", text)
    # Labels and alt labels carry the copy number, so the duplicate-name checks see distinct names.
    text = re.sub(r'(label> "[^"]*)"@(zh|en)', rf'\1 {copy}"@\2', text)
    text = re.sub(r"(wikidata\.org/entity/Q\d+)>", rf"\g<1>{copy:04d}>", text)  # one entity per copy
    return text.encode("utf-8")


def scaled_store(ontology: list[ox.Quad], data: list[ox.Quad], target: int) -> tuple[ox.Store, int, float]:
    """A store of about ``target`` triples (asserted + inferred) shaped like the real graph."""
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_extend(ontology)
    ratio = 1.5  # inferred per asserted in the real graph (checked below)
    copies = max(1, round(target / (len(data) * ratio)))
    for copy in range(copies):
        store.load(_copy_nquads(data, copy), format=ox.RdfFormat.N_QUADS)
    materialise(store, inferred_graph=INFERRED_GRAPH)
    return store, copies, time.perf_counter() - started


def submission(copy: int) -> rdflib.Graph:
    """100 triples: ten pairings between actors of copy ``copy`` (which exist in every store)."""
    pairs = [("beijing", "neimenggu"), ("hebei", "guizhou"), ("jiangsu", "guangxi"), ("shandong", "qinghai"),
             ("tianjin", "gansu"), ("shanghai", "yunnan"), ("zhejiang", "sichuan"), ("guangdong", "guizhou"),
             ("liaoning", "qinghai"), ("fujian", "ningxia")]
    suffix = f"-s{copy}" if copy >= 0 else ""
    lines = ["@prefix dko: <https://w3id.org/duikou/ontology#> .", "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             f"@prefix actor: <{ID_BASE}actor/> .", f"@prefix pairing: <{ID_BASE}pairing/> .",
             f"@prefix cite: <{ID_BASE}citation/> .", f"@prefix status: <{ID_BASE}concept/status/> ."]
    for i, (a, b) in enumerate(pairs):
        lines.append(f"""pairing:bench-{i}{suffix} a dko:CounterpartSupport , dko:InterProvincialPairing ;
            rdfs:label "基准{i}"@zh , "bench {i}"@en ; dko:supporter actor:{a}{suffix} ; dko:recipient actor:{b}{suffix} ;
            dko:startYear {1990 + i} ; dko:endYear {2000 + i} ; dko:evidenceStatus status:sourced ;
            dko:hasSource cite:nankai2017-ch1-1-1{suffix} .""")
    graph = rdflib.Graph().parse(data="\n".join(lines), format="turtle")
    assert len(graph) == 100, len(graph)
    return graph


def time_incremental(store, context, graph, runs: int, reasoning: bool) -> tuple[float, dict]:
    reports = []
    for _ in range(runs):
        reports.append(validate_incremental(graph, store=store, context=context, reasoning=reasoning))
        assert reports[-1].conforms, reports[-1].to_text()
    reports.sort(key=lambda r: r.timings["total"])
    median = reports[len(reports) // 2]
    steps = ", ".join(f"{k} {v:.3f}" for k, v in median.timings.items())
    print(f"  {'with' if reasoning else 'without'} HermiT, median run: {steps}; {median.scope}", flush=True)
    return statistics.median(r.timings["total"] for r in reports), median.scope


def _full_shacl(nquads: bytes, shapes_ttl: str, queue) -> None:
    store = ox.Store()
    store.load(nquads, format=ox.RdfFormat.N_QUADS)
    data = store_to_graph(store)
    shapes = rdflib.Graph().parse(data=shapes_ttl, format="turtle")
    started = time.perf_counter()
    run_shacl(data, shapes)
    queue.put(time.perf_counter() - started)


def time_full(store: ox.Store, context, limit: float) -> float | None:
    """Full pySHACL re-validation of the whole (already inferred) graph, in a child process; None if stopped."""
    nquads = ox.serialize(store, format=ox.RdfFormat.N_QUADS)
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(
        target=_full_shacl, args=(nquads, context.shapes.serialize(format="turtle"), queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="triples of the large scale-up")
    parser.add_argument("--full-limit", type=float, default=240.0, help="seconds before full validation is stopped")
    parser.add_argument("--runs", type=int, default=3, help="runs per incremental timing (median)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="duikou-bench-") as tmp:
        settings = Settings.from_env(environ={}, project_root=ROOT, data_dir=Path(tmp))
        context = ValidationContext(settings)
        if not context.start_reasoner(wait=True):
            print(f"HermiT runs through owlready2 (a JVM per check): {context.reasoner_unavailable}", flush=True)
        rows = []
        real = open_store(settings)  # builds into the temporary data dir
        inc, scope = time_incremental(real, context, submission(-1), args.runs, True)
        inc_no_owl, _ = time_incremental(real, context, submission(-1), args.runs, False)
        rows.append(("real graph", real.triple_count, inc, inc_no_owl, scope, None, "not run"))
        print(f"real: {real.triple_count} triples, incremental {inc:.2f} s ({inc_no_owl:.2f} s without HermiT)", flush=True)

        _, ontology, data = _sources_store(ROOT)
        for target, limit in ((100_000, args.full_limit), (args.scale, args.full_limit)):
            store, copies, build = scaled_store(ontology, data, target)
            size = len(store)
            inc, scope = time_incremental(store, context, submission(copies // 2), args.runs, True)
            inc_no_owl, _ = time_incremental(store, context, submission(copies // 2), args.runs, False)
            print(f"{size} triples ({copies} copies, built in {build:.0f} s): incremental {inc:.2f} s "
                  f"({inc_no_owl:.2f} s without HermiT), scope {scope}", flush=True)
            full = time_full(store, context, limit)
            note = f"{full:.1f} s" if full is not None else f"stopped after {limit:.0f} s"
            print(f"  full pySHACL: {note}", flush=True)
            rows.append((f"synthetic ×{copies}", size, inc, inc_no_owl, scope, full, note))
            del store
        context.close()

    print("\n| graph | triples | incremental, all steps (s) | incremental without HermiT (s) | focus nodes / context triples "
          "| full pySHACL (s) | full ÷ incremental |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for name, size, inc, inc_no_owl, scope, full, note in rows:
        ratio = f"{full / inc:.0f} ×" if full is not None else "—"
        if full is None and note.startswith("stopped"):
            ratio = f"> {args.full_limit / inc:.0f} ×"
        print(f"| {name} | {size:,} | {inc:.2f} | {inc_no_owl:.2f} | {scope['focus_nodes']} / {scope['context_triples']} "
              f"| {note} | {ratio} |")


if __name__ == "__main__":
    main()
