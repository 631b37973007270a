"""Synthetic scale-up data shaped like the real graph, as a project folder ``duikou-kg build`` reads.

The folder holds the real ontology, concept schemes, sources, events and actors (so canned-query parameters
such as ``actor:shanghai`` or ``sector:machinery`` mean what they mean in the real data), plus generated
files under ``data/ttl/synthetic/``: prefectures and counties (``dko:partOf`` their parent, zh/en labels),
pairings of the three variants with the same properties as the real ones (supporter/recipient or two
partners, start year, program, sectors, instruments, evidence status, a citation each) and their citations.
Supporters follow a Zipf-like fan-out over the eastern provinces, as in the real programs.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

TRIPLES_PER_PAIRING = 28  # asserted + inferred, measured on a build; used to size the data
COPIED = ("ontology", "queries", "shapes", "data/ttl/actors", "data/ttl/concepts", "data/ttl/sources", "data/ttl/events")
PREFIXES = """@prefix dko: <https://w3id.org/duikou/ontology#> .
@prefix actor: <https://w3id.org/duikou/id/actor/> .
@prefix pairing: <https://w3id.org/duikou/id/pairing/> .
@prefix cite: <https://w3id.org/duikou/id/citation/> .
@prefix work: <https://w3id.org/duikou/id/source/> .
@prefix program: <https://w3id.org/duikou/id/program/> .
@prefix status: <https://w3id.org/duikou/id/concept/status/> .
@prefix sector: <https://w3id.org/duikou/id/concept/sector/> .
@prefix instrument: <https://w3id.org/duikou/id/concept/instrument/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
SUPPORTERS = ["beijing", "shanghai", "tianjin", "jiangsu", "zhejiang", "guangdong", "shandong", "fujian",
              "liaoning", "hebei", "shenzhen", "dalian", "qingdao", "ningbo", "xiamen", "hubei", "hunan", "anhui"]
RECIPIENT_PROVINCES = ["xinjiang", "xizang", "qinghai", "gansu", "sichuan", "yunnan", "guizhou", "ningxia",
                       "neimenggu", "guangxi", "chongqing", "jilin", "heilongjiang", "shaanxi", "jiangxi"]
PROGRAMS = ["xinjiang", "tibet", "east-west-poverty-cooperation", "border-and-minority-regions",
            "three-gorges", "wenchuan-reconstruction", "northeast-east-cooperation", "qinghai-tibetan-areas"]
SECTORS = ["machinery", "education", "health", "agriculture", "industry", "infrastructure", "tourism",
           "poverty-alleviation", "construction", "finance", "electric-power", "higher-education"]
INSTRUMENTS = ["cadre-secondment", "aid-projects", "talent-support", "funding"]
STATUSES = ["sourced"] * 8 + ["low-confidence", "disputed"]
VARIANTS = [("CounterpartSupport", "对口支援", "supports"), ("CounterpartAssistance", "对口帮扶", "assists"),
            ("CounterpartCooperation", "对口合作", "cooperates with")]
ZH_DIGITS = "〇一二三四五六七八九"


def _zh_number(n: int) -> str:
    return "".join(ZH_DIGITS[int(d)] for d in str(n))


def generate(target_triples: int, folder: Path, *, project_root: Path, seed: int = 7) -> dict:
    """Write a project folder of about ``target_triples`` triples (after the build's inference)."""
    if folder.exists():
        shutil.rmtree(folder)
    for relative in COPIED:
        shutil.copytree(project_root / relative, folder / relative)
    (folder / "pyproject.toml").write_text("# synthetic benchmark project\n", encoding="utf-8")
    out = folder / "data" / "ttl" / "synthetic"
    out.mkdir(parents=True)
    rng = random.Random(seed)
    pairings = max(100, target_triples // TRIPLES_PER_PAIRING)
    counties_n = max(30, pairings // 3)
    prefectures_n = max(10, counties_n // 8)

    prefectures = [f"syn-pref-{i}" for i in range(prefectures_n)]
    counties = [f"syn-county-{i}" for i in range(counties_n)]
    lines = [PREFIXES, "# Synthetic prefectures and counties of the benchmark (bench/generate.py).\n"]
    for i, slug in enumerate(prefectures):
        province = RECIPIENT_PROVINCES[i % len(RECIPIENT_PROVINCES)]
        lines.append(f'actor:{slug} a dko:PrefectureLevelUnit ; rdfs:label "合成地区{_zh_number(i)}"@zh , '
                     f'"Synthetic Prefecture {i}"@en ; dko:partOf actor:{province} .\n')
    for i, slug in enumerate(counties):
        lines.append(f'actor:{slug} a dko:CountyLevelUnit ; rdfs:label "合成县{_zh_number(i)}"@zh , '
                     f'"Synthetic County {i}"@en ; skos:altLabel "合成{i}"@zh ; '
                     f'dko:partOf actor:{prefectures[i % prefectures_n]} .\n')
    (out / "places.ttl").write_text("".join(lines), encoding="utf-8")

    weights = [1 / (rank + 1) for rank in range(len(SUPPORTERS))]  # Zipf-like fan-out of supporters
    per_file = 10_000
    for start in range(0, pairings, per_file):
        lines = [PREFIXES, "# Synthetic pairings and their citations of the benchmark (bench/generate.py).\n"]
        for i in range(start, min(pairings, start + per_file)):
            variant, zh, verb = VARIANTS[rng.choices((0, 1, 2), (6, 3, 1))[0]]
            supporter = rng.choices(SUPPORTERS, weights)[0]
            recipient = counties[rng.randrange(counties_n)] if rng.random() < 0.8 else prefectures[rng.randrange(prefectures_n)]
            year = rng.randint(1979, 2021)
            slug = f"syn-{year}-{supporter}-{recipient}-{i}"
            roles = (f"dko:partner actor:{supporter} , actor:{recipient}" if variant == "CounterpartCooperation"
                     else f"dko:supporter actor:{supporter} ; dko:recipient actor:{recipient}")
            sectors = " , ".join(f"sector:{s}" for s in rng.sample(SECTORS, rng.choice((1, 1, 2))))
            extra = f" ; dko:instrument instrument:{rng.choice(INSTRUMENTS)}" if rng.random() < 0.5 else ""
            lines.append(
                f'pairing:{slug} a dko:{variant} , dko:InterProvincialPairing ; '
                f'rdfs:label "{supporter}{zh}合成{i}（{year}）"@zh , "{supporter} {verb} synthetic {i} ({year})"@en ; '
                f'{roles} ; dko:startYear {year} ; dko:program program:{rng.choice(PROGRAMS)} ; '
                f'dko:sector {sectors}{extra} ; dko:evidenceStatus status:{rng.choice(STATUSES)} ; '
                f'dko:hasSource cite:syn-{i} .\n'
                f'cite:syn-{i} a dko:Citation ; dko:citedWork work:nankai-2017-duikou-report ; '
                f'dko:page {rng.randint(1, 400)} .\n')
        (out / f"pairings-{start // per_file:03d}.ttl").write_text("".join(lines), encoding="utf-8")
    return {"pairings": pairings, "counties": counties_n, "prefectures": prefectures_n,
            "sample_county": counties[1], "sample_supporter": "shanghai"}
