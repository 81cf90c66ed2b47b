"""Measure toponym resolution on LGL (Lieberman et al. 2010) with spaCy's own recognition.

    python bench/eval_places.py bench/devsets/places/lgl.xml [--cache lgl-spans.pkl]
        [--ablate] [--gazetteer] [--misses N]

`lgl.xml` is in the public repository qqilihq/WhatsMissingInGeoparsing (588 local US
news articles, 4,462 toponyms with a GeoNames id and point; offsets index the text).
Each article's text goes through the pipeline's model, span code and entity
resolution (`transforms.extract_entities`, `transforms.entities`); its toponyms
through `transforms.toponyms`. A gold toponym is *matched* when a toponym we resolved
(non-NULL) overlaps its span. Printed, for dateline's rules and for a baseline that
takes the most populous place of the name:
- recall: matched gold toponyms / all gold toponyms;
- accuracy@161 km over the matched toponyms and over all gold toponyms;
- mean and median error in km over the matched;
- AUC of the log-error curve (Gritta et al., `methods.py` of the same repository):
  trapz(sorted ln(1 + km)) / (ln(20039) * (n - 1)); lower is better.
`--ablate` prints the figures with each rule switched off; `--gazetteer` how far the
gazetteer's own point for each gold country, division and county lies from GeoNames'.
"""

import argparse
import math
import pickle
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.gazetteer import Gazetteer, load_gazetteer, toponym_key  # noqa: E402
from transforms.gazetteer import great_circle_km as km  # noqa: E402
from transforms.toponyms import (  # noqa: E402
    Toponym,
    is_toponym,
    resolve_toponyms,
)

MAX_ERROR_KM = 20039
RULES = ("not_ours", "containment", "words", "context", "abstain")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    phrase: str
    geonameid: int
    latitude: float
    longitude: float
    feature_code: str


def read_lgl(path: Path) -> list[tuple[str, list[Gold]]]:
    articles = []
    for article in ET.parse(path).getroot().iter("article"):
        golds = []
        for toponym in article.iter("toponym"):
            tag = toponym.find("gaztag")
            if tag is None or tag.findtext("lat") is None:
                continue
            golds.append(
                Gold(
                    int(toponym.findtext("start")),
                    int(toponym.findtext("end")),
                    toponym.findtext("phrase"),
                    int(tag.get("geonameid")),
                    float(tag.findtext("lat")),
                    float(tag.findtext("lon")),
                    tag.findtext("fcode") or "",
                )
            )
        articles.append((article.findtext("text") or "", golds))
    return articles


def recognise(texts: list[str], cache: Path | None) -> list[list[Toponym]]:
    """Each text's mentions as the pipeline resolves them (spaCy + entity resolution)."""
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    from transforms.entities import resolve_entities
    from transforms.extract_entities import raw_spans
    from transforms.nlp import MODEL_NAME, load_ner_model

    nlp = load_ner_model(MODEL_NAME)
    recognised = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=32), strict=True):
        mentions, _ = resolve_entities(text, raw_spans(doc))
        recognised.append(
            [Toponym(m.start_char, m.end_char, m.text, m.label, m.entity_id) for m in mentions]
        )
    if cache:
        cache.write_bytes(pickle.dumps(recognised))
    return recognised


def most_populous(gazetteer: Gazetteer, toponyms: list[Toponym]):
    places = []
    for toponym in toponyms:
        candidates = gazetteer.lookup(toponym_key(toponym.text))
        places.append(max((c.place for c in candidates), key=lambda p: p.population, default=None))
    return places


def score(articles, resolved) -> dict:
    total = sum(len(golds) for _, golds in articles)
    errors = []
    for (_, golds), pairs in zip(articles, resolved, strict=True):
        for gold in golds:
            for toponym, place in pairs:
                if place is not None and toponym.start < gold.end and gold.start < toponym.end:
                    errors.append(
                        km(gold.latitude, gold.longitude, place.latitude, place.longitude)
                    )
                    break
    within = sum(error < 161 for error in errors)
    logs = sorted(math.log(1 + error) for error in errors)
    trapezoid = sum((a + b) / 2 for a, b in zip(logs, logs[1:], strict=False))
    return {
        "recall": len(errors) / total,
        "acc161_matched": within / len(errors) if errors else 0.0,
        "acc161_all": within / total,
        "mean_km": statistics.mean(errors) if errors else 0.0,
        "median_km": statistics.median(errors) if errors else 0.0,
        "auc": trapezoid / (math.log(MAX_ERROR_KM) * (len(logs) - 1)) if len(logs) > 1 else 0.0,
        "matched": len(errors),
        "gold": total,
    }


def run(articles, recognised, gazetteer, resolver) -> dict:
    resolved = []
    for (text, _), mentions in zip(articles, recognised, strict=True):
        toponyms = [t for t in mentions if is_toponym(t.label, t.text, gazetteer)]
        places = resolver(text, toponyms)
        resolved.append(list(zip(toponyms, places, strict=True)))
    return score(articles, resolved), resolved


def line(name: str, figures: dict) -> str:
    return (
        f"{name:<22} recall {figures['recall']:.3f}  acc@161 matched "
        f"{figures['acc161_matched']:.3f}  all {figures['acc161_all']:.3f}  "
        f"mean {figures['mean_km']:7.1f} km  median {figures['median_km']:6.1f} km  "
        f"AUC {figures['auc']:.3f}  ({figures['matched']}/{figures['gold']})"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lgl", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--ablate", action="store_true")
    parser.add_argument("--gazetteer", action="store_true")
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args(argv)
    articles = read_lgl(args.lgl)
    started = time.perf_counter()
    recognised = recognise([text for text, _ in articles], args.cache)
    print(f"{len(articles)} articles, NER {time.perf_counter() - started:.1f} s")
    gazetteer = load_gazetteer()
    baseline, _ = run(articles, recognised, gazetteer, lambda text, t: most_populous(gazetteer, t))
    print(line("most populous", baseline))
    figures, resolved = run(
        articles, recognised, gazetteer, lambda text, t: resolve_toponyms(text, t, gazetteer)[0]
    )
    print(line("dateline", figures))
    if args.ablate:
        for rule in RULES:
            off, _ = run(
                articles,
                recognised,
                gazetteer,
                lambda text, t, rule=rule: resolve_toponyms(
                    text, t, gazetteer, disabled=frozenset({rule})
                )[0],
            )
            print(line(f"without {rule}", off))
    if args.misses:
        shown = 0
        for (_text, golds), pairs in zip(articles, resolved, strict=True):
            for gold in golds:
                for toponym, place in pairs:
                    if place is None or not (toponym.start < gold.end and gold.start < toponym.end):
                        continue
                    error = km(gold.latitude, gold.longitude, place.latitude, place.longitude)
                    if error >= 161 and shown < args.misses:
                        shown += 1
                        print(
                            f"  {gold.phrase!r} gold {gold.feature_code} {gold.geonameid} -> "
                            f"{place.name} {place.country_code}/{place.admin1} "
                            f"{place.feature_code} ({error:.0f} km)"
                        )
                    break
    if args.gazetteer:
        gazetteer_points(articles, gazetteer)
    return 0


def gazetteer_points(articles, gazetteer: Gazetteer) -> None:
    """How far the gazetteer's point for each gold country, division and county lies
    from GeoNames' own."""
    seen = {}
    for _, golds in articles:
        for gold in golds:
            if gold.feature_code in ("PCLI", "ADM1", "ADM2"):
                seen[gold.geonameid] = gold
    by_id = {}
    for gold in seen.values():
        for candidate in gazetteer.lookup(toponym_key(gold.phrase)):
            by_id[candidate.place.geonameid] = candidate.place
    for code in ("PCLI", "ADM1", "ADM2"):
        golds = [g for g in seen.values() if g.feature_code == code and g.geonameid in by_id]
        errors = [
            km(g.latitude, g.longitude, by_id[g.geonameid].latitude, by_id[g.geonameid].longitude)
            for g in golds
        ]
        if errors:
            print(
                f"gazetteer {code}: {sum(e < 161 for e in errors)}/{len(errors)} within 161 km"
                f" of GeoNames' point, median {statistics.median(errors):.0f} km"
            )


if __name__ == "__main__":
    raise SystemExit(main())
