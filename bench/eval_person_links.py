"""PERSON recall and cross-article B-cubed of `entity_id` on a news entity-linking gold set.

    python bench/eval_person_links.py [bench/devsets/entities/gold.jsonl] [--show 20]

The gold set is AIDA CoNLL-YAGO (1,393 Reuters stories of 1996, every mention linked to
Wikipedia; built locally, see bench/devsets/entities/README.md). Each story goes through
the pipeline's own header parser, model and resolution (`transforms.headers`,
`transforms.extract_entities`, `transforms.entities`), so what is scored is what the
`mentions` table would hold.

- PERSON recall: the share of gold PER mentions linked to Wikipedia that a mention
  labelled PERSON overlaps.
- B-cubed over those found mentions: gold clusters are the Wikipedia titles; predicted
  clusters are (a) the exact mention string (the baseline) and (b) `entity_id`, the
  per-article canonical id (the same full name gives the same id in every article, a
  bare surname its own id).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bcubed import bcubed  # noqa: E402

from transforms.entities import resolve_entities  # noqa: E402
from transforms.extract_entities import raw_spans  # noqa: E402
from transforms.headers import parse_header  # noqa: E402
from transforms.nlp import load_ner_model  # noqa: E402

GOLD = Path(__file__).resolve().parent / "devsets" / "entities" / "gold.jsonl"


def predicted_people(documents: list[dict]) -> dict[str, list[tuple[int, int, str, str]]]:
    """doc_id -> [(start, end, text, entity_id)] of PERSON mentions, in document offsets."""
    nlp = load_ner_model()
    headers = [parse_header(document["text"]) for document in documents]
    found = {}
    with nlp.memory_zone():
        docs = nlp.pipe((header.body for header in headers), batch_size=32)
        for document, header, doc in zip(documents, headers, docs, strict=True):
            mentions, _ = resolve_entities(header.body, raw_spans(doc))
            offset = header.body_offset
            found[document["doc_id"]] = [
                (m.start_char + offset, m.end_char + offset, m.text, m.entity_id)
                for m in mentions
                if m.label == "PERSON" and m.entity_id
            ]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="?", default=GOLD)
    parser.add_argument("--show", type=int, default=20, help="gold people missed, listed")
    args = parser.parse_args()
    documents = [json.loads(line) for line in args.gold.open(encoding="utf-8")]
    people = predicted_people(documents)
    gold, by_string, by_entity_id, missed = {}, {}, {}, []
    total = 0
    for document in documents:
        predicted = people[document["doc_id"]]
        for mention in document["mentions"]:
            if mention["type"] != "PER" or mention["kb"] is None:
                continue
            total += 1
            key = (document["doc_id"], mention["start"], mention["end"])
            hit = next(
                (p for p in predicted if p[0] < mention["end"] and mention["start"] < p[1]), None
            )
            if hit is None:
                missed.append(f"{document['doc_id']}: {mention['surface']!r}")
                continue
            gold[key] = mention["kb"]
            by_string[key] = mention["surface"]
            by_entity_id[key] = hit[3]
    print(f"gold PER mentions linked to Wikipedia: {total}")
    print(f"PERSON recall: {len(gold) / total:.3f} ({len(gold)} found)")
    for name, clusters in (("exact string", by_string), ("entity_id", by_entity_id)):
        precision, recall, f1 = bcubed(gold, clusters)
        print(f"B-cubed {name:13s} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}")
    for line in missed[: args.show]:
        print(f"  missed {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
