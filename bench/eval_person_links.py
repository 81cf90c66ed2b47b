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
  bare surname its own id), and (c) `person_id`, the id after cross-article linking
  (`transforms.link_people`, run over all stories of the set, as one run would).

Figures are printed for the whole set and for AIDA's test splits (testa, testb) alone:
the linking thresholds were chosen on the train split.
"""

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bcubed import bcubed  # noqa: E402

from transforms.entities import resolve_entities  # noqa: E402
from transforms.extract_entities import raw_spans  # noqa: E402
from transforms.headers import parse_header  # noqa: E402
from transforms.link_people import period_of, person_ids  # noqa: E402
from transforms.nlp import load_ner_model  # noqa: E402

GOLD = Path(__file__).resolve().parent / "devsets" / "entities" / "gold.jsonl"


def predicted_people(documents: list[dict]) -> dict[str, list[tuple[int, int, str, str, str]]]:
    """doc_id -> [(start, end, text, entity_id, person_id)] of PERSON mentions, document offsets."""
    nlp = load_ner_model()
    headers = [parse_header(document["text"]) for document in documents]
    found, names, periods = {}, [], {}
    with nlp.memory_zone():
        docs = nlp.pipe((header.body for header in headers), batch_size=32)
        for document, header, doc in zip(documents, headers, docs, strict=True):
            mentions, entities = resolve_entities(header.body, raw_spans(doc))
            doc_id, offset = document["doc_id"], header.body_offset
            periods[doc_id] = period_of(header.published_date)
            names += [
                (periods[doc_id], entity.entity_id, entity.name)
                for entity in entities
                if entity.label == "PERSON"
            ]
            found[doc_id] = [
                (m.start_char + offset, m.end_char + offset, m.text, m.entity_id)
                for m in mentions
                if m.label == "PERSON" and m.entity_id
            ]
    person_of = person_ids(names)
    return {
        doc_id: [
            (*mention, person_of.get((periods[doc_id], mention[3]), mention[3]))
            for mention in mentions
        ]
        for doc_id, mentions in found.items()
    }


def report(title: str, documents: list[dict], people: dict, show: int) -> None:
    gold, clusters, missed = {}, defaultdict(dict), []
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
            clusters["exact string"][key] = mention["surface"]
            clusters["entity_id"][key] = hit[3]
            clusters["person_id"][key] = hit[4]
    print(f"{title}: {len(documents)} stories, {total} gold PER mentions linked to Wikipedia")
    print(f"  PERSON recall: {len(gold) / total:.3f} ({len(gold)} found)")
    for name, predicted in clusters.items():
        precision, recall, f1 = bcubed(gold, predicted)
        print(f"  B-cubed {name:13s} P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}")
    for line in missed[:show]:
        print(f"    missed {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, nargs="?", default=GOLD)
    parser.add_argument("--show", type=int, default=20, help="gold people missed, listed")
    args = parser.parse_args()
    documents = [json.loads(line) for line in args.gold.open(encoding="utf-8")]
    people = predicted_people(documents)
    report("all", documents, people, args.show)
    tests = [document for document in documents if not document["doc_id"].startswith("train")]
    report("testa+testb", tests, people, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
