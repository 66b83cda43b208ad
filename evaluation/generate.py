"""A store's documents and facts -> the probes of the generated evaluation. Pure, deterministic.

`documents_to_probes` builds every probe; `sample_probes` keeps a deterministic share per document,
family and variant (the CI test), so every document and every family stays covered.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evaluation.inventory import Inventory
from evaluation.names import short_names, unambiguous_names
from evaluation.records import Item, Probe
from labels import label_to_key
from schema import Document

HERE = Path(__file__).resolve().parent
LEXICON = HERE.parent / "retrieval" / "lexicon" / "synonyms.tsv"
MAX_TWO = 12            # two-item probes per document
MAX_OTHER = 8           # items of other documents asked of a body, per document


@dataclass(frozen=True)
class Source:
    """What the probes of one document are drawn from."""
    document: Document
    inventory: Inventory
    text: str           # every label and line of the document, spaces removed: what it mentions at all
    labels: frozenset[str] = frozenset()    # every printed label and column, as keys


@lru_cache(maxsize=1)
def templates() -> dict:
    return tomllib.loads((HERE / "questions.toml").read_text(encoding="utf-8"))


def read_lexicon(path: Path = LEXICON) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(everyday word, formal labels) rows of the colloquial lexicon."""
    rows = [r.split("\t") for r in path.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")]
    return tuple((r[0].strip(), tuple(x.strip() for x in r[1].split("|"))) for r in rows if len(r) >= 2)


def stable(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def who(name: str, d: Document) -> str:
    return f"{name}{d.year}年" if d.year else name


def row_probes(s: Source) -> list[Probe]:
    d = s.document
    return [Probe(d.doc_id, "row", templates()["row"].format(label=i.label), (i.figures,), d.doc_id, note=i.label)
            for i in s.inventory.items]


def named_probes(s: Source, bodies: set[str] = frozenset()) -> list[Probe]:
    """Each item asked with the body named, cycling through the body's full and short names (those that name no
    other loaded body too)."""
    d, names = s.document, unambiguous_names(s.document.body, set(bodies))
    return [Probe(d.doc_id, "named", templates()["named"].format(who=who(names[n % len(names)], d), label=i.label),
                  (i.figures,), None, note=i.label, variant=names[n % len(names)])
            for n, i in enumerate(s.inventory.items)]


def colloquial_wording(word: str, kind: str) -> str:
    if re.search(r"预算|决算", word):                 # 总预算: "总预算是多少", not "总预算的预算是多少"
        return templates()["colloquial_plain"].format(word=word)
    return templates()["colloquial_final" if kind == "决算" else "colloquial_budget"].format(word=word)


def colloquial_probes(s: Source, lexicon) -> list[Probe]:
    """The everyday word where exactly one of the labels it maps to is printed in the document, as a row
    with a figure (工资 -> 人员经费|工资福利支出 with both printed is ambiguous: no probe)."""
    d = s.document
    by_key = {i.key: i for i in s.inventory.items}
    out = []
    for word, formals in lexicon:
        keys = list(dict.fromkeys(label_to_key(f) for f in formals))
        printed = [k for k in keys if k in s.text]
        own = label_to_key(word)        # 公用经费 printed as a column: the document's own 公用经费, not 商品和服务支出
        if len(printed) == 1 and printed[0] in by_key and own not in by_key and own not in s.labels:
            item = by_key[printed[0]]
            out.append(Probe(d.doc_id, "colloquial", colloquial_wording(word, d.kind), (item.figures,), d.doc_id,
                             note=f"{word} → {item.label}"))
    return out


def pairable(a: Item, b: Item) -> bool:
    values = {f.value for f in a.figures}
    return a.key not in b.key and b.key not in a.key and not values & {f.value for f in b.figures}


def two_item_probes(s: Source) -> list[Probe]:
    """X和Y各是多少: items paired in a stable shuffled order, neither naming the other, figures apart."""
    d = s.document
    items = sorted(s.inventory.items, key=lambda i: stable(d.doc_id + i.key))
    pairs = [(a, b) for a, b in zip(items[::2], items[1::2]) if pairable(a, b)][:MAX_TWO]
    return [Probe(d.doc_id, "two", templates()["two"].format(a=a.label, b=b.label), (a.figures, b.figures),
                  d.doc_id, note=f"{a.label} + {b.label}") for a, b in pairs]


GENERAL = re.compile(r"合计|总计|小计|总额|结转|结余")


def absent(key: str, s: Source) -> bool:
    """An item the document does not mention at all, holds none of its labels, and is no total or balance
    that every document has under some name (本年收入合计 of one form is 收入总计 of another)."""
    return (key not in s.text and not GENERAL.search(key)
            and not any(len(i.key) >= 4 and i.key in key for i in s.inventory.items))


def other_item_probes(s: Source, others: list[Source]) -> list[Probe]:
    d, names = s.document, short_names(s.document.body)
    keys = sorted({i.key for o in others for i in o.inventory.items if len(i.key) >= 4 and absent(i.key, s)},
                  key=lambda k: stable(d.doc_id + k))[:MAX_OTHER]
    return [Probe(d.doc_id, "notfound", templates()["other_item"].format(who=who(names[n % len(names)], d), label=k),
                  note=k, variant="other document's item") for n, k in enumerate(keys)]


def people_and_plan_probes(s: Source) -> list[Probe]:
    """People (张三的工资) and plans (明年计划建几个公园): asked of the body by name, or of the document."""
    d, names = s.document, short_names(s.document.body)
    out = []
    for variant in ("people", "plans"):
        for n, wording in enumerate(templates()[variant]):
            name = names[n % len(names)]
            scope = None if "{body}" in wording else d.doc_id
            out.append(Probe(d.doc_id, "notfound", wording.format(body=name), scope=scope, note=variant,
                             variant=variant))
    return out


def documents_to_probes(sources: list[Source], lexicon) -> list[Probe]:
    out: list[Probe] = []
    for s in sources:
        others = [o for o in sources if o.document.doc_id != s.document.doc_id]
        bodies = {o.document.body for o in others}
        out += row_probes(s) + named_probes(s, bodies) + colloquial_probes(s, lexicon) + two_item_probes(s)
        out += other_item_probes(s, others) + people_and_plan_probes(s)
    return out


def sample_probes(probes: list[Probe], caps: dict[str, int]) -> list[Probe]:
    """At most caps[family] probes per document, family and variant, chosen by a stable hash of the question."""
    groups: dict[tuple, list[Probe]] = {}
    for p in probes:
        groups.setdefault((p.doc_id, p.family, p.variant if p.family == "notfound" else ""), []).append(p)
    keep = {id(p) for (_, family, _), ps in groups.items()
            for p in sorted(ps, key=lambda p: stable(p.question))[:caps.get(family, len(ps))]}
    return [p for p in probes if id(p) in keep]


def source_of(document: Document, inventory: Inventory, lines: list[str], labels: list[str]) -> Source:
    """Lines and every printed label and column (empty rows too: a row printed empty is listed, not absent)."""
    text = re.sub(r"\s+", "", "".join(lines)) + "|".join(label_to_key(x) for x in labels)
    return Source(document=document, inventory=inventory, text=text,
                  labels=frozenset(label_to_key(part) for x in labels if x for part in x.split("/")))
