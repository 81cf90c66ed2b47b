"""B-cubed precision/recall/F1 for entity resolution, plus an exact-string baseline.

Items are mention keys, e.g. ``(doc_id, start, end)``; a clustering maps each item to a
cluster id (any hashable: a Wikipedia title, an entity id, a surface string). Only the
items present in both the gold and the predicted clustering are scored, and clusters are
taken over those items only.

For an item ``i`` with gold cluster ``G(i)`` and predicted cluster ``P(i)``::

    precision(i) = |P(i) & G(i)| / |P(i)|
    recall(i)    = |P(i) & G(i)| / |G(i)|

and precision, recall are the means over the items; F1 is their harmonic mean.

    >>> gold = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 2}
    >>> pred = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}
    >>> [round(v, 4) for v in bcubed(gold, pred)]
    [0.7333, 0.6, 0.66]

Run ``python bench/bcubed.py`` for the self-check, or
``python bench/bcubed.py bench/devsets/entities/gold.jsonl`` to also score the
exact-string baseline on the gold set's linked PER mentions.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

MentionKey = tuple[str, int, int]


def bcubed(
    gold: Mapping[K, Hashable], predicted: Mapping[K, Hashable]
) -> tuple[float, float, float]:
    """B-cubed ``(precision, recall, f1)`` over the items in both ``gold`` and ``predicted``.

    Returns ``(0.0, 0.0, 0.0)`` when no item is shared.

    >>> bcubed({1: "A", 2: "A", 3: "B"}, {1: 0, 2: 1, 3: 2})  # all singletons
    (1.0, 0.6666666666666666, 0.8)
    """
    items = [i for i in gold if i in predicted]
    if not items:
        return 0.0, 0.0, 0.0
    gold_size: Counter[Hashable] = Counter(gold[i] for i in items)
    pred_size: Counter[Hashable] = Counter(predicted[i] for i in items)
    both: Counter[tuple[Hashable, Hashable]] = Counter((gold[i], predicted[i]) for i in items)
    precision = recall = 0.0
    for i in items:
        g, p = gold[i], predicted[i]
        overlap = both[(g, p)]
        precision += overlap / pred_size[p]
        recall += overlap / gold_size[g]
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def exact_string_baseline(mentions: Mapping[K, str] | Iterable[tuple[K, str]]) -> dict[K, str]:
    """Cluster mentions by their exact surface string: ``{key: surface}``.

    ``mentions`` maps each mention key to its surface (or is an iterable of
    ``(key, surface)`` pairs). "Yeltsin" and "Boris Yeltsin" land in different
    clusters; every "Smith" lands in one.

    >>> exact_string_baseline([(("d1", 0, 7), "Yeltsin"), (("d2", 5, 12), "Yeltsin")])
    {('d1', 0, 7): 'Yeltsin', ('d2', 5, 12): 'Yeltsin'}
    """
    pairs = mentions.items() if isinstance(mentions, Mapping) else mentions
    return {key: surface for key, surface in pairs}


def load_gold(
    path: Path, entity_type: str | None = "PER", include_nil: bool = False
) -> tuple[dict[MentionKey, str], dict[MentionKey, str]]:
    """Read a gold JSONL(.gz) file into ``(gold clusters, surfaces)`` keyed by mention.

    Keeps mentions of ``entity_type`` (all types if None). Linked mentions are clustered
    by their ``kb`` id; NIL mentions are dropped, or with ``include_nil`` each becomes
    its own singleton cluster (NIL mentions carry no cross-document identity).
    """
    opener = gzip.open if path.suffix == ".gz" else open
    gold: dict[MentionKey, str] = {}
    surfaces: dict[MentionKey, str] = {}
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            for m in doc["mentions"]:
                if entity_type is not None and m.get("type") != entity_type:
                    continue
                key = (doc["doc_id"], m["start"], m["end"])
                if m["kb"] is not None:
                    gold[key] = m["kb"]
                elif include_nil:
                    gold[key] = f"NIL:{key[0]}:{key[1]}:{key[2]}"
                else:
                    continue
                surfaces[key] = m["surface"]
    return gold, surfaces


def _self_check() -> None:
    """Hand-checked example (see the module docstring) and edge cases."""
    # gold: {a b c d} {e}; predicted: {a b} {c d e}
    #   a, b: P = 2/2, R = 2/4      c, d: P = 2/3, R = 2/4      e: P = 1/3, R = 1/1
    #   P = (1 + 1 + 2/3 + 2/3 + 1/3) / 5 = 11/15;  R = (4 * 1/2 + 1) / 5 = 3/5
    #   F1 = 2 * (11/15) * (3/5) / (11/15 + 3/5) = 33/50
    gold = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 2, "only-in-gold": 3}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y", "only-in-pred": "y"}
    p, r, f = bcubed(gold, pred)
    assert math.isclose(p, 11 / 15) and math.isclose(r, 3 / 5) and math.isclose(f, 33 / 50)
    # perfect, all-singletons (P = 1), one big cluster (R = 1), nothing shared
    assert bcubed(gold, gold) == (1.0, 1.0, 1.0)
    p, r, _ = bcubed(gold, {k: k for k in gold})
    assert p == 1.0 and math.isclose(r, (4 * 1 / 4 + 1 + 1) / 6)
    p, r, _ = bcubed(gold, dict.fromkeys(gold, 0))
    assert r == 1.0 and math.isclose(p, (4 * 4 / 6 + 1 / 6 + 1 / 6) / 6)
    assert bcubed({"a": 1}, {"b": 1}) == (0.0, 0.0, 0.0)
    # baseline: "Yeltsin" x2 together, "Boris Yeltsin" apart -> P = 1, R = (2/3 * 2 + 1/3) / 3
    keys = [("d1", 0, 13), ("d2", 0, 7), ("d3", 4, 11)]
    surf = dict(zip(keys, ["Boris Yeltsin", "Yeltsin", "Yeltsin"], strict=True))
    p, r, _ = bcubed(dict.fromkeys(keys, "Boris Yeltsin"), exact_string_baseline(surf))
    assert p == 1.0 and math.isclose(r, 5 / 9)
    print("self-check ok: P=11/15 R=3/5 F1=33/50 on the worked example")


def main(argv: list[str]) -> int:
    """Self-check; with a gold file, score the exact-string baseline on PER mentions."""
    _self_check()
    for arg in argv[1:]:
        gold, surfaces = load_gold(Path(arg))
        p, r, f = bcubed(gold, exact_string_baseline(surfaces))
        print(
            f"{arg}: exact-string baseline on {len(gold)} linked PER mentions "
            f"({len(set(gold.values()))} entities): P={p:.4f} R={r:.4f} F1={f:.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
