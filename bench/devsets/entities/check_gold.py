"""Validate the entity gold file and print its counts and surname/full-name examples.

    python bench/devsets/entities/check_gold.py [GOLD]     # default: gold.jsonl here

Checks that every document has doc_id/text/mentions, that mention offsets lie in the
text, that ``text[start:end] == surface``, and that mentions do not overlap. Exits 1 on
any failure. Counts: documents (per split), mentions, linked/NIL, PER mentions, distinct
PER kb ids, PER kb ids in more than one document. Examples: a one-token PER mention
whose kb id also has a multi-token PER mention ending in that token in another
document ("Yeltsin" ~ "Boris Yeltsin").
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def load(path: Path) -> list[dict]:
    """Read a JSONL (optionally gzipped) gold file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def check(docs: list[dict]) -> list[str]:
    """Return one message per problem found."""
    errors: list[str] = []
    seen: set[str] = set()
    for d in docs:
        if d["doc_id"] in seen:
            errors.append(f"duplicate doc_id {d['doc_id']}")
        seen.add(d["doc_id"])
        text = d["text"]
        last_end = -1
        for m in sorted(d["mentions"], key=lambda m: (m["start"], m["end"])):
            if not 0 <= m["start"] < m["end"] <= len(text):
                errors.append(f"{d['doc_id']}: bad offsets {m}")
            elif text[m["start"] : m["end"]] != m["surface"]:
                errors.append(f"{d['doc_id']}: {text[m['start'] : m['end']]!r} != {m['surface']!r}")
            if m["start"] < last_end:
                errors.append(f"{d['doc_id']}: overlapping mention {m}")
            last_end = max(last_end, m["end"])
    return errors


def counts(docs: list[dict]) -> dict[str, int]:
    """Document, mention and PER counts."""
    out: Counter[str] = Counter()
    per_docs: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        out["documents"] += 1
        out[f"documents_{d['doc_id'].split('-')[0]}"] += 1
        out["documents_with_date"] += d.get("date") is not None
        for m in d["mentions"]:
            out["mentions"] += 1
            out["mentions_linked" if m["kb"] else "mentions_nil"] += 1
            if m.get("type") == "PER":
                out["per_mentions"] += 1
                out["per_mentions_linked" if m["kb"] else "per_mentions_nil"] += 1
                if m["kb"]:
                    per_docs[m["kb"]].add(d["doc_id"])
    out["per_distinct_kb_ids"] = len(per_docs)
    out["per_kb_ids_in_more_than_one_doc"] = sum(len(v) > 1 for v in per_docs.values())
    return dict(out)


def surname_examples(docs: list[dict], n: int = 10) -> list[tuple[str, str, str, str, str]]:
    """Surname-only PER mentions whose kb id has a full-name mention in another document.

    Returns ``(kb, short surface, its doc, full surface, its doc)``, one per kb id, for
    the ``n`` such kb ids that appear in the most documents.
    """
    full: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # kb -> last token -> ex
    short: dict[str, list[tuple[str, str]]] = defaultdict(list)
    n_docs: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for m in d["mentions"]:
            if m.get("type") != "PER" or not m["kb"]:
                continue
            n_docs[m["kb"]].add(d["doc_id"])
            toks = m["surface"].split()
            if len(toks) > 1:
                full[m["kb"]].setdefault(toks[-1], (m["surface"], d["doc_id"]))
            else:
                short[m["kb"]].append((m["surface"], d["doc_id"]))
    out = []
    for kb in sorted(short, key=lambda k: (-len(n_docs[k]), k)):
        for surface, doc_id in short[kb]:
            hit = full[kb].get(surface)
            if hit and hit[1] != doc_id:
                out.append((kb, surface, doc_id, hit[0], hit[1]))
                break
        if len(out) == n:
            break
    return out


def main(argv: list[str]) -> int:
    """Validate, then print counts and examples."""
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("gold.jsonl")
    docs = load(path)
    errors = check(docs)
    for e in errors[:20]:
        print("ERROR", e)
    print(f"{path.name}: {len(errors)} problems")
    for k, v in counts(docs).items():
        print(f"{k}: {v}")
    print("surname-only mention ~ full-name mention in another document (same kb):")
    for kb, s, sd, f, fd in surname_examples(docs):
        print(f"  {s!r} ({sd}) ~ {f!r} ({fd}) -> {kb}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
