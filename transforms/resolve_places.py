"""ResolvePlaces: each toponym of an annotated article -> its GeoNames place.

Example: an article datelined `MOSCOW` that says `Russia and the United States ...
U.S. officials` comes out with `Russia` on Russia (geonameid 2017370), `United
States` and `U.S.` on one entity whose `entity_id` is the place's
(`place_entity_id(6252001)`), the dateline on Moscow (524901), and a focus.
The rules are `transforms.toponyms`; the gazetteer (`transforms.gazetteer`) is
mapped once per worker in `setup()`.

Entities: a place entity's `entity_id` derives from its geonameid, so all names
of one place are one entity across articles and two places of one name are two;
entities of one article that land on one place merge (mentions summed, the name
and label of the one mentioned most). Other entities are unchanged.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.entities import Entity, Mention
from transforms.entity_names import entity_id
from transforms.errors import ERRORS, ErrorRecord
from transforms.extract_entities import AnnotatedArticle
from transforms.gazetteer import OFFICIAL, Gazetteer, Place, load_gazetteer, toponym_key
from transforms.toponyms import Toponym, is_toponym, resolve_toponyms

STAGE = "resolve_places"


def place_entity_id(geonameid: int) -> str:
    """The entity_id of a GeoNames place: the same on every worker, in every run."""
    return entity_id("place", f"geonames:{geonameid}")


def dateline_place(gazetteer: Gazetteer, place: str | None, country_code: str | None):
    """The gazetteer's place for a parsed dateline: the largest town of that name in the
    dateline's country (towns before divisions: `MOSCOW` is the city, not the federal
    city's division; own names before other names), or the country."""
    if not place:
        return gazetteer.country(country_code) if country_code else None
    candidates = [
        c
        for c in gazetteer.lookup(toponym_key(place))
        if country_code is None or c.place.country_code == country_code
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda c: (c.place.is_populated_place, c.how == OFFICIAL, c.place.population),
    ).place


def _geo_fields(place: Place | None) -> dict:
    if place is None:
        return {}
    return {
        "geonameid": place.geonameid,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "country_code": place.country_code,
        "feature_code": place.feature_code,
    }


def with_places(
    body: str,
    mentions: tuple[Mention, ...],
    entities: tuple[Entity, ...],
    gazetteer: Gazetteer,
    dateline: Place | None,
) -> tuple[tuple[Mention, ...], tuple[Entity, ...], Place | None]:
    """The mentions and entities with their places, and the article's focus place."""
    indexed = [
        (i, Toponym(m.start_char, m.end_char, m.text, m.label, m.entity_id))
        for i, m in enumerate(mentions)
        if is_toponym(m.label, m.text, gazetteer)
    ]
    places, focus = resolve_toponyms(body, [t for _, t in indexed], gazetteer, dateline)
    place_of_mention = {i: place for (i, _), place in zip(indexed, places, strict=True)}
    place_of_entity: dict[str, Place] = {}
    for (_i, toponym), place in zip(indexed, places, strict=True):
        if place is not None and toponym.entity_id:
            place_of_entity.setdefault(toponym.entity_id, place)
    new_id = {old: place_entity_id(place.geonameid) for old, place in place_of_entity.items()}
    new_mentions = tuple(
        dataclasses.replace(
            m,
            entity_id=new_id.get(m.entity_id, m.entity_id),
            **_geo_fields(place_of_mention.get(i) or place_of_entity.get(m.entity_id)),
        )
        for i, m in enumerate(mentions)
    )
    merged: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        merged[new_id.get(entity.entity_id, entity.entity_id)].append(entity)
    new_entities = []
    for eid, group in merged.items():
        lead = max(group, key=lambda e: (e.mention_count, -e.first_char))
        place = next((place_of_entity[e.entity_id] for e in group if e.entity_id in new_id), None)
        new_entities.append(
            dataclasses.replace(
                lead,
                entity_id=eid,
                mention_count=sum(e.mention_count for e in group),
                first_char=min(e.first_char for e in group),
                **_geo_fields(place),
            )
        )
    new_entities.sort(key=lambda e: (e.first_char, e.entity_id))
    return new_mentions, tuple(new_entities), focus


class ResolvePlacesFn(beam.DoFn):
    """`AnnotatedArticle` -> the same with places, focus and dateline place set."""

    def __init__(self):
        self._gazetteer = None
        self._resolved = Metrics.counter(self.__class__, "toponyms_resolved")

    def setup(self):
        self._gazetteer = load_gazetteer()

    def process(self, article: AnnotatedArticle):
        header = article.parsed.header
        try:
            dateline = dateline_place(self._gazetteer, header.place, header.country_code)
            mentions, entities, focus = with_places(
                header.body, article.mentions, article.entities, self._gazetteer, dateline
            )
        except Exception as error:  # noqa: BLE001 - dead letter for resolver bugs
            record = ErrorRecord.from_exception(article.parsed.source, STAGE, error)
            yield pvalue.TaggedOutput(ERRORS, record)
            return
        self._resolved.inc(sum(m.geonameid is not None for m in mentions))
        yield dataclasses.replace(
            article,
            mentions=mentions,
            entities=entities,
            dateline_place=dateline,
            focus=focus,
        )


class ResolvePlaces(beam.PTransform):
    """Annotated articles -> the same with places (`articles`) and error rows (`errors`)."""

    def expand(self, articles):
        return articles | "ResolveToponyms" >> beam.ParDo(ResolvePlacesFn()).with_outputs(
            ERRORS, main="articles"
        )
