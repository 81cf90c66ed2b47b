"""Measure entity resolution on real corpora (spaCy NER + `transforms.entities`).

    python bench/eval_entities.py bbc ../shared/corpus/bbc [--cache bbc-spans.pkl]
    python bench/eval_entities.py reuters reuters-txt [--cache reuters-spans.pkl]

Bodies are cut by the pipeline's own header parser (`transforms.headers`), spans
come from the pipeline's model loader and span code (`transforms.extract_entities`).

bbc: files are `title line, blank line, body`. Prints the number of distinct PERSON
ids before resolution (the id of each cleaned mention's own text: no in-article
joins, no transliteration or alias folding) and after (the entity_ids of PERSON
entities), the joins by rule, and 20 joins drawn with a seeded RNG (a join = a
surface form mapped to an entity with another name).

reuters: the output of `tools/reuters_to_txt.py` (`*.txt` + `truth.jsonl`).
For each story with PEOPLE tags, a tag (`james-baker`) is found when its last
`-`-separated token equals the folded last token of one of the story's PERSON
entities (a surname match: `Baker`, `James Baker`, `James A. Baker` all match),
or its tokens joined equal the entity's last tokens joined (`de-larosiere` ~
`Jacques de Larosiere`). Prints recall with resolved entities and with raw
spaCy PERSON spans, and every miss.

NER runs once (nlp.pipe, batch 64; a few minutes for 2,095 BBC files on 2 cores);
`--cache` keeps the spans in a pickle so rules can be re-run in seconds.
"""

import argparse
import json
import pickle
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.entities import RawSpan, resolve_entities_traced  # noqa: E402
from transforms.entity_names import entity_id, fold_tokens  # noqa: E402
from transforms.entity_spans import clean_spans  # noqa: E402
from transforms.extract_entities import raw_spans  # noqa: E402
from transforms.headers import parse_header  # noqa: E402
from transforms.nlp import load_ner_model  # noqa: E402


def corpus_docs(paths: list[Path], root: Path) -> list[tuple[str, str]]:
    """(name, body) per file, the body as the pipeline's header parser cuts it."""
    return [
        (str(path.relative_to(root)), parse_header(path.read_text(encoding="utf-8")).body)
        for path in paths
    ]


def annotate(docs, cache: Path | None) -> list[tuple[str, str, list[RawSpan]]]:
    """(name, body, spaCy spans) per document, from the cache when it has them."""
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    nlp = load_ner_model()
    out = []
    bodies = (body for _, body in docs)
    for (name, body), doc in zip(docs, nlp.pipe(bodies, batch_size=64), strict=True):
        out.append((name, body, raw_spans(doc)))
    if cache:
        cache.write_bytes(pickle.dumps(out))
    return out


def raw_person_id(name: str) -> str:
    return entity_id("person", "".join(fold_tokens(name)))


def eval_bbc(annotated, sample: int, seed: int) -> None:
    before, after = set(), set()
    joins = []
    for doc_name, body, spans in annotated:
        for c in clean_spans(body, spans):
            if c.raw_label == "PERSON" and not c.fragment:
                before.add(raw_person_id(c.name))
        _, entities, doc_joins = resolve_entities_traced(body, spans)
        after.update(e.entity_id for e in entities if e.label == "PERSON")
        joins.extend((doc_name, j) for j in doc_joins if j.label == "PERSON")
    print(f"articles: {len(annotated)}")
    print(f"distinct PERSON ids before resolution: {len(before)}")
    print(f"distinct PERSON ids after resolution:  {len(after)}")
    print(f"PERSON joins (surface form -> other canonical name): {len(joins)}")
    for rule, n in Counter(j.rule for _, j in joins).most_common():
        print(f"  {rule}: {n}")
    print(f"\n{sample} random joins (seed {seed}):")
    for doc_name, j in random.Random(seed).sample(joins, min(sample, len(joins))):
        print(f"  {j.surface!r:28} -> {j.name!r:32} [{j.rule}]  {doc_name}")
    for rule in ("typo", "spelling"):
        picked = [(d, j) for d, j in joins if j.rule == rule]
        if picked:
            print(f"\nall {rule} joins:")
            for doc_name, j in picked:
                print(f"  {j.surface!r:28} -> {j.name!r:32} {doc_name}")


def tag_found(tag: str, names: list[str]) -> bool:
    parts = [re.sub(r"[^a-z0-9]", "", p) for p in tag.lower().split("-")]
    parts = [p for p in parts if p]
    for name in names:
        tokens = fold_tokens(name)
        if not tokens:
            continue
        if tokens[-1] == parts[-1]:
            return True
        if "".join(tokens).endswith("".join(parts)):
            return True
    return False


def eval_reuters(annotated, root: Path) -> None:
    truth = {}
    for line in (root / "truth.jsonl").read_text().splitlines():
        row = json.loads(line)
        truth[row["file"]] = row["people"]
    tags = found = found_raw = 0
    misses = []
    for doc_name, body, spans in annotated:
        people = truth.get(doc_name) or []
        if not people:
            continue
        _, entities, _ = resolve_entities_traced(body, spans)
        names = [e.name for e in entities if e.label == "PERSON"]
        raw = [body[s.start_char : s.end_char] for s in spans if s.label == "PERSON"]
        for tag in people:
            tags += 1
            hit = tag_found(tag, names)
            found += hit
            found_raw += tag_found(tag, raw)
            if not hit:
                misses.append((doc_name, tag, names, raw))
    stories = sum(1 for people in truth.values() if people)
    print(f"stories with PEOPLE tags: {stories}, tags: {tags}")
    print(f"recall, resolved PERSON entities: {found}/{tags} = {found / max(tags, 1):.1%}")
    print(f"recall, raw spaCy PERSON spans:   {found_raw}/{tags} = {found_raw / max(tags, 1):.1%}")
    print("misses (story, tag, PERSON entities, raw PERSON spans):")
    for doc_name, tag, names, raw in misses:
        print(f"  {doc_name} {tag}: {names} raw={sorted(set(raw))}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", choices=["bbc", "reuters"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--cache", type=Path, help="pickle of NER spans, written then reused")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    pattern = "*/*.txt" if args.corpus == "bbc" else "*.txt"
    docs = corpus_docs(sorted(args.dir.glob(pattern)), args.dir)
    annotated = annotate(docs, args.cache)
    if args.corpus == "bbc":
        eval_bbc(annotated, args.sample, args.seed)
    else:
        eval_reuters(annotated, args.dir)


if __name__ == "__main__":
    main()
