#!/usr/bin/env python3
"""Measure PII detection quality and speed on a labelled corpus written apart from the detectors.

The corpus (`pii_corpus.py`, beside this script) is generated with its own phrasings, name and
street lists: e-mails with salutations and signature blocks, chats, agent notes, form dumps and
forwarded threads in six languages, with gold spans for eleven types (EMAIL, PHONE, CREDIT_CARD,
SSN, IBAN, IP_ADDRESS, URL_CREDENTIALS, KEYS = API_KEY or SECRET, DATE_OF_BIRTH, PERSON,
STREET_ADDRESS) and about as many hard negatives (versions, order numbers, UUIDs, dates that are
not birth dates, generic addressees ...). `honing.datasets.pii.detect` runs over every message.

Quality, on the "standard" mix: per type, precision and recall, span-level by overlap (a
detected span is correct when it overlaps a gold span of the same type; a gold span is found
when a detected span of its type overlaps it), and the share of found spans whose boundaries
are exact. A hard negative is flagged when any detected span overlaps it; the share flagged is
printed overall and per kind. A naive regex set (one unvalidated pattern per type, as found in
many pipelines) is scored in the same run as a reference.

Speed, on separate "sparse" (a span per ~1 KB) and "dense" (a span per ~75 bytes) corpora:
UTF-8 megabytes per CPU-second of this process (time.process_time, best of --repeats; the
machine is shared, so the wall clock would also count waiting for a core), beside the naive
set and the ratio. Wall-clock figures and the load average are printed too. The detectors
that ran are named: "compiled" (native/pii, built by native/build, as scripts/demo and
scripts/test do) or "python" (not built, or HONING_PII_CORE=python).

Targets (exit 1 when one is missed): precision and recall >= 0.97 for each of the nine
structured types; PERSON and STREET_ADDRESS recall >= 0.75 at precision >= 0.9 (with
`--ner SPEC`, PERSON recall >= 0.9, still at precision >= 0.9); >= 12 MB/s on the sparse
corpus and >= 6 MB/s on the dense one with the default install.

    .venv/bin/python benchmarks/pii.py
    .venv/bin/python benchmarks/pii.py --messages 5000 --seed 7 --repeats 5 --json
    .venv/bin/python benchmarks/pii.py --ner spacy:en_core_web_sm --messages 2000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_corpus import ENTITY_TYPES, NEGATIVE_KINDS, Message, generate  # noqa: E402

from honing.datasets.pii import detect  # noqa: E402
from honing.datasets.pii._builtin import core_name  # noqa: E402

STRUCTURED = ("EMAIL", "PHONE", "CREDIT_CARD", "SSN", "IBAN", "IP_ADDRESS", "URL_CREDENTIALS",
              "KEYS", "DATE_OF_BIRTH")
TARGET_STRUCTURED = 0.97
TARGET_NAMES_RECALL, TARGET_NAMES_RECALL_NER, TARGET_NAMES_PRECISION = 0.75, 0.9, 0.9
TARGET_SPARSE_MB_S, TARGET_DENSE_MB_S = 12.0, 6.0
# What a detector may call a type, mapped to the corpus's type: keys of known providers and
# secrets found by context are judged together.
GROUP = {"API_KEY": "KEYS", "SECRET": "KEYS", "US_SSN": "SSN", "IBAN_CODE": "IBAN",
         "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE"}

Run = Callable[[str], list[tuple[int, int, str]]]

# The reference: one pattern per type, no validation, as found in many data pipelines. Where a
# pattern has a group, the group is the span.
NAIVE = {
    "EMAIL": re.compile(r"\S+@\S+\.\w+"),
    "PHONE": re.compile(r"\+?\(?\d[\d ()\-]{7,}\d"),
    "CREDIT_CARD": re.compile(r"\b(?:\d[ -]?){13,16}\b"),
    "SSN": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "IBAN": re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9 ]{11,30}\b"),
    "IP_ADDRESS": re.compile(
        r"\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b"),
    "API_KEY": re.compile(r"\b(?:sk-\w+|AKIA\w{16}|ghp_\w+|xox\w-[\w-]+|AIza[\w-]{35}|eyJ[\w.-]+)"),
    "SECRET": re.compile(r"(?i)(?:api_key|token|secret|password)\s*[:=]\s*(\S+)"),
    "URL_CREDENTIALS": re.compile(r"\b\w+://[^\s/@:]+:[^\s/@]+@\S+|https?://\S+[?&]token=\S+"),
    "DATE_OF_BIRTH": re.compile(
        r"(?i)(?:date of birth|dob|born)\W{1,3}(\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"),
    "PERSON": re.compile(r"\b(?:Mr|Mrs|Ms|Dr)\.? [A-Z][a-z]+(?: [A-Z][a-z]+)?"),
    "STREET_ADDRESS": re.compile(
        r"\b\d{1,5} (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Drive|Boulevard)\b"),
}


def naive_detect(text: str) -> list[tuple[int, int, str]]:
    return [(*m.span(1 if m.re.groups else 0), entity) for entity, pattern in NAIVE.items()
            for m in pattern.finditer(text)]


def honing_detect(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.entity) for s in detect(text)]


def backend_detect(spec: str) -> Run:
    """Detection with an NER backend as well; `detect` takes `backends` once that lands."""
    def run(text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.entity) for s in detect(text, backends=[spec])]
    return run


def _ratio(part: float, whole: float) -> float | None:
    """None when undefined (nothing to divide by), never a made-up number."""
    return part / whole if whole else None


@dataclass
class _Tally:
    gold: int = 0
    found: int = 0
    exact: int = 0
    predicted: int = 0
    correct: int = 0


def quality(corpus: Sequence[Message], run: Run) -> dict:
    """Per type precision, recall and exact-boundary share; hard negatives flagged per kind;
    counts of predicted types the corpus does not label."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    negatives: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    unlabelled: Counter[str] = Counter()
    for message in corpus:
        predicted = [(s, e, GROUP.get(k, k)) for s, e, k in run(message.text)]
        for s, e, k in message.spans:
            tally = tallies[k]
            tally.gold += 1
            hits = [p for p in predicted if p[2] == k and p[0] < e and s < p[1]]
            tally.found += bool(hits)
            tally.exact += any(p[0] == s and p[1] == e for p in hits)
        for s, e, k in predicted:
            if k not in ENTITY_TYPES:
                unlabelled[k] += 1
                continue
            tally = tallies[k]
            tally.predicted += 1
            tally.correct += any(t[2] == k and t[0] < e and s < t[1] for t in message.spans)
        for s, e, kind in message.negatives:
            negatives[kind][1] += 1
            negatives[kind][0] += any(p[0] < e and s < p[1] for p in predicted)
    types = {
        entity: {"n": t.gold, "predicted": t.predicted,
                 "precision": _ratio(t.correct, t.predicted), "recall": _ratio(t.found, t.gold),
                 "exact": _ratio(t.exact, t.found)}
        for entity in ENTITY_TYPES for t in [tallies[entity]]}
    flagged = sum(v[0] for v in negatives.values())
    total = sum(v[1] for v in negatives.values())
    return {
        "types": types,
        "negatives": {"n": total, "flagged": _ratio(flagged, total),
                      "by_kind": {kind: {"n": negatives[kind][1],
                                         "flagged": _ratio(*negatives[kind])}
                                  for kind in NEGATIVE_KINDS if negatives[kind][1]}},
        "unlabelled_types": dict(unlabelled),
    }


def throughput(corpus: Sequence[Message], run: Callable[[str], object],
               repeats: int) -> dict:
    """MB per CPU-second of this process and per wall-clock second, best of `repeats`."""
    size = sum(len(m.text.encode()) for m in corpus)
    best_cpu = best_wall = math.inf
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        for message in corpus:
            run(message.text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return {"cpu_mb_s": size / max(best_cpu, 1e-9) / 1e6,
            "wall_mb_s": size / max(best_wall, 1e-9) / 1e6}


def describe(corpus: Sequence[Message]) -> dict:
    size = sum(len(m.text.encode()) for m in corpus)
    spans = sum(len(m.spans) for m in corpus)
    return {"messages": len(corpus), "mb": size / 1e6, "spans": spans,
            "negatives": sum(len(m.negatives) for m in corpus),
            "bytes_per_span": _ratio(size, spans),
            "languages": dict(Counter(m.language for m in corpus)),
            "forms": dict(Counter(m.form for m in corpus))}


def corpus_of_size(megabytes: float, *, seed: int, density: str) -> list[Message]:
    """Messages of one density until they hold `megabytes` of UTF-8 text."""
    corpus, size = [], 0
    for message in generate(10 ** 9, seed=seed, density=density):
        corpus.append(message)
        size += len(message.text.encode())
        if size >= megabytes * 1e6:
            return corpus
    return corpus


def targets(report: dict) -> list[str]:
    """The targets missed, one line each; empty when all are met."""
    missed = []
    types = report["quality"]["honing"]["types"]
    for entity in STRUCTURED:
        p, r = types[entity]["precision"], types[entity]["recall"]
        if not (p is not None and r is not None and p >= TARGET_STRUCTURED
                and r >= TARGET_STRUCTURED):
            missed.append(f"{entity}: precision {_fmt(p)}, recall {_fmt(r)} "
                          f"(target >= {TARGET_STRUCTURED} each)")
    for entity in ("PERSON", "STREET_ADDRESS"):
        p, r = types[entity]["precision"], types[entity]["recall"]
        need = (TARGET_NAMES_RECALL_NER if report["ner"] and entity == "PERSON"
                else TARGET_NAMES_RECALL)
        if not (p is not None and r is not None and r >= need and p >= TARGET_NAMES_PRECISION):
            missed.append(f"{entity}: recall {_fmt(r)} at precision {_fmt(p)} "
                          f"(target recall >= {need} at precision >= {TARGET_NAMES_PRECISION})")
    for density, need in (("sparse", TARGET_SPARSE_MB_S), ("dense", TARGET_DENSE_MB_S)):
        speed = report["throughput"][density]["honing"]["cpu_mb_s"]
        if speed < need:
            missed.append(f"throughput on {density} text: {speed:.2f} MB/s < {need:g} MB/s")
    return missed


def build_report(*, messages: int, seed: int, repeats: int, speed_mb: float,
                 ner: str | None = None) -> dict:
    ours = backend_detect(ner) if ner else honing_detect
    corpus = list(generate(messages, seed=seed, density="standard"))
    if ner:
        try:
            ours(corpus[0].text)
        except TypeError as error:
            raise SystemExit(f"this version of detect() takes no NER backends ({error})") from None
    report = {
        "seed": seed, "ner": ner, "detectors": core_name(),
        "corpora": {"standard": describe(corpus)},
        "quality": {"honing": quality(corpus, ours), "naive": quality(corpus, naive_detect)},
        "throughput": {},
        "load_average": os.getloadavg()[0], "cpus": os.cpu_count(),
    }
    for density, offset in (("sparse", 1), ("dense", 2)):
        speed_corpus = corpus_of_size(speed_mb, seed=seed + offset, density=density)
        report["corpora"][density] = describe(speed_corpus)
        report["throughput"][density] = {
            "honing": throughput(speed_corpus, honing_detect, repeats),
            "naive": throughput(speed_corpus, naive_detect, repeats)}
    report["missed"] = targets(report)
    return report


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_report(report: dict) -> None:
    for name, c in report["corpora"].items():
        print(f"{name} corpus: {c['messages']} messages, {c['mb']:.2f} MB, {c['spans']} gold "
              f"spans (one per {_fmt(c['bytes_per_span'], 0)} bytes), {c['negatives']} hard "
              f"negatives, seed {report['seed']}")
    ours, naive = report["quality"]["honing"], report["quality"]["naive"]
    label = f"honing + {report['ner']}" if report["ner"] else "honing"
    print(f"\nquality on the standard corpus ({label}; naive regex set beside it)")
    print(f"{'type':<17}{'n':>7}{'predicted':>10}{'precision':>10}{'recall':>8}{'exact':>7}"
          f"{'naive P':>9}{'naive R':>9}")
    for entity in ENTITY_TYPES:
        t, nt = ours["types"][entity], naive["types"][entity]
        print(f"{entity:<17}{t['n']:>7}{t['predicted']:>10}{_fmt(t['precision']):>10}"
              f"{_fmt(t['recall']):>8}{_fmt(t['exact']):>7}{_fmt(nt['precision']):>9}"
              f"{_fmt(nt['recall']):>9}")
    if ours["unlabelled_types"]:
        print("predicted types the corpus does not label: "
              + ", ".join(f"{k} {v}" for k, v in sorted(ours["unlabelled_types"].items())))
    neg, nneg = ours["negatives"], naive["negatives"]
    print(f"\nhard negatives flagged: honing {_fmt(neg['flagged'])}, naive "
          f"{_fmt(nneg['flagged'])} (of {neg['n']})")
    print(f"{'kind':<22}{'n':>6}{'honing':>8}{'naive':>8}")
    for kind, row in neg["by_kind"].items():
        print(f"{kind:<22}{row['n']:>6}{_fmt(row['flagged']):>8}"
              f"{_fmt(nneg['by_kind'][kind]['flagged']):>8}")
    print(f"\nthroughput with the default install, {report['detectors']} detectors (MB/s per "
          "CPU-second; per wall-clock second)")
    for density, need in (("sparse", TARGET_SPARSE_MB_S), ("dense", TARGET_DENSE_MB_S)):
        h, n = report["throughput"][density]["honing"], report["throughput"][density]["naive"]
        print(f"  {density:<7} honing {h['cpu_mb_s']:.2f}, naive regex set {n['cpu_mb_s']:.2f} "
              f"(honing/naive x{h['cpu_mb_s'] / n['cpu_mb_s']:.2f}); wall clock honing "
              f"{h['wall_mb_s']:.2f}, naive {n['wall_mb_s']:.2f}; target >= {need:g}")
    print(f"  load average {report['load_average']:.2f} on {report['cpus']} cores")
    for line in report["missed"]:
        print(f"MISSED {line}")
    print("all targets met" if not report["missed"]
          else f"{len(report['missed'])} target(s) missed")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=None,
                        help="messages in the quality corpus (default 20000; 2000 with --ner)")
    parser.add_argument("--speed-mb", type=float, default=4.0,
                        help="megabytes in each of the sparse and dense speed corpora")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ner", metavar="SPEC", default=None,
                        help="also run an NER backend, e.g. spacy:en_core_web_sm")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(None if argv is None else list(argv))
    messages = args.messages or (2000 if args.ner else 20_000)
    report = build_report(messages=messages, seed=args.seed, repeats=args.repeats,
                          speed_mb=args.speed_mb, ner=args.ner)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    return 1 if report["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
