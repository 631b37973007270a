"""An in-memory label index built from the store.

Every label (rdfs:label, skos:prefLabel, skos:altLabel) of an actor, program, policy event or concept
gets match keys: the text folded to simplified characters and lower case without spaces, and for
Chinese text its toneless pinyin (``北京市`` → ``beijingshi``). A query is folded the same way, with
tone digits and tone marks removed, so ``北京``, ``北京市``, ``Beijing``, ``bei jing``, ``bei3jing1``,
``běijīng`` and traditional ``內蒙古`` all find their resource. Ranking: exact > prefix > substring,
then shorter labels first.

>>> normalise("Bei Jing")
'beijing'
>>> normalise("內蒙古")
'内蒙古'
>>> normalise("bei3 jing1")
'beijing'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from ..namespaces import DKO, RDFS, SKOS

KINDS = {
    DKO + "Actor": "actor",
    DKO + "Program": "program",
    DKO + "PolicyEvent": "event",
    SKOS + "Concept": "concept",
}

_QUERY = f"""PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
SELECT ?r ?kind ?lp ?label WHERE {{
  VALUES ?kind {{ {' '.join(f'<{k}>' for k in KINDS)} }}
  VALUES ?lp {{ rdfs:label skos:prefLabel skos:altLabel }}
  ?r a ?kind .
  ?r ?lp ?label .
  FILTER(isIRI(?r) && isLiteral(?label))
}}"""



@functools.cache
def _t2s():
    """Traditional → simplified converter, made on first use (opencc and pypinyin cost 0.5 s of start-up)."""
    import opencc

    return opencc.OpenCC("t2s")

_CJK = re.compile(r"[\u3400-\u9fff]")
_DROP = re.compile(r"[\s\-_·・,，.。()（）'’\"“”]+")
EXACT, PREFIX, SUBSTRING = 3, 2, 1


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Fold case, traditional → simplified, tone marks and digits, spaces and punctuation."""
    text = _t2s().convert(unicodedata.normalize("NFKC", text)).casefold()
    if not _CJK.search(text):
        text = re.sub(r"(?<=[a-zü])[1-5]", "", _strip_marks(text))
    return _DROP.sub("", text)


def pinyin_key(text: str) -> str | None:
    from pypinyin import lazy_pinyin

    simplified = _t2s().convert(text)
    if not _CJK.search(simplified):
        return None
    return _DROP.sub("", "".join(lazy_pinyin(simplified)).casefold())


@dataclass
class Entry:
    iri: str
    kinds: set[str] = field(default_factory=set)
    labels: dict[str, list[str]] = field(default_factory=dict)  # language tag → texts
    keys: list[tuple[str, str]] = field(default_factory=list)  # (key, label text it came from)

    def label(self, lang: str) -> str:
        for wanted in (lang, "en" if lang == "zh" else "zh", ""):
            if self.labels.get(wanted):
                return self.labels[wanted][0]
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SearchHit:
    iri: str
    label: str
    kinds: tuple[str, ...]
    matched: str
    score: int

    @property
    def match(self) -> str:
        return {EXACT: "exact", PREFIX: "prefix", SUBSTRING: "substring"}[self.score]


class LabelIndex:
    def __init__(self, entries: dict[str, Entry], version: str | None = None) -> None:
        self.entries = entries
        self.version = version

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, *, lang: str = "zh", limit: int = 20, kind: str | None = None) -> list[SearchHit]:
        q = normalise(query)
        if not q:
            return []
        hits = []
        for entry in self.entries.values():
            if kind and kind not in entry.kinds:
                continue
            best, matched = 0, ""
            for key, text in entry.keys:
                score = EXACT if key == q else PREFIX if key.startswith(q) else SUBSTRING if q in key else 0
                if score > best or (score == best and score and len(text) < len(matched)):
                    best, matched = score, text
            if best:
                hits.append(SearchHit(entry.iri, entry.label(lang), tuple(sorted(entry.kinds)), matched, best))
        hits.sort(key=lambda h: (-h.score, len(h.matched), h.label, h.iri))
        return hits[:limit]


LABEL_RANK = {RDFS + "label": 0, SKOS + "prefLabel": 1, SKOS + "altLabel": 2}


def build_index(store) -> LabelIndex:
    entries: dict[str, Entry] = {}
    # rdfs:label before skos:prefLabel before skos:altLabel, so an entry's display label is its main label.
    rows = sorted(store.query(_QUERY), key=lambda r: (LABEL_RANK[r["lp"].value], len(r["label"].value), r["label"].value))
    for row in rows:
        iri, label = row["r"].value, row["label"]
        entry = entries.setdefault(iri, Entry(iri))
        entry.kinds.add(KINDS[row["kind"].value])
        texts = entry.labels.setdefault(label.language or "", [])
        if label.value in texts:
            continue
        texts.append(label.value)
        entry.keys.append((normalise(label.value), label.value))
        pinyin = pinyin_key(label.value)
        if pinyin:
            entry.keys.append((pinyin, label.value))
    return LabelIndex(entries, getattr(store, "version", None))
