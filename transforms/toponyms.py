"""Which GeoNames place each place name of one article stands for, and the story's focus.

Pure rules over one article's mentions and the gazetteer (`transforms.gazetteer`); no
Beam, no model. A *toponym* is a GPE, LOC or FAC mention, or a NORP mention whose text
is a country's demonym (`Syrian`, `American`). All toponyms of one entity, and of one
name key, take one place (one sense per article). Each rule below was measured on LGL
with `bench/eval_places.py --ablate` (figures in the README's quality section):

1. Candidates: every gazetteer place the name (or, for NORP, the demonym) keys to.
   A place reached by another of its names (`Reisterstown` is also `Washington`)
   needs the text to support it more than one reached by its own name.
2. Not a place of ours: a name followed by `County`, `Parish`, `River`, `Street`... names
   a feature the gazetteer lacks (counties, roads), so it resolves to nothing rather
   than to the town of that name.
3. Containment: `Springfield, Illinois`, `Springfield, Ill.`, `Paris, France` keep only
   candidates inside the division or country after the comma, and that place resolves
   to the division or country holding the first.
4. Words around: `state of Georgia`, `Georgia Gov.`, `Washington state` prefer a
   first-order division; `republic of Georgia`, `the country of` prefer a country.
5. Context: a first-order division or a capital gains when the article names its
   country (`a woman from Georgia` in a story about the US; `Washington` there is
   the capital, not the state); a candidate gains for other toponyms whose best
   reading lies in its country, more in its division, more for towns within
   150 km (less within 400 km), and for the dateline's country and division; a
   country gains for each place named inside it (`Georgia's capital Tbilisi`).
6. Prior: otherwise the larger place (population, then countries over divisions over
   towns): `Moscow` is Russia's, `Paris` is France's.
7. Abstain: a town with nothing in its division or within 400 km named, and
   smaller than `MIN_UNSUPPORTED_POPULATION` or reached by another of its names, is
   not taken: the next supported candidate is, else NULL (a NULL beats a wrong point).

Focus: the resolved place with the most toponyms (the dateline's place counts as two),
ties to the earliest; a country named most often loses to a place inside it named as
often (the story is about the city, in the country); no toponym -> the dateline place.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from transforms.gazetteer import (
    ALTERNATE,
    DEMONYM,
    OFFICIAL,
    Candidate,
    Gazetteer,
    Place,
    toponym_key,
)
from transforms.places import resolve_region

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Below this a town no other toponym of the article supports resolves to NULL.
MIN_UNSUPPORTED_POPULATION = 100_000

_NOT_OUR_FEATURE = re.compile(
    r"\s*(?:County|Counties|Parish|Township|River|Creek|Lake|Street|St\b|Road|Rd\b|Avenue|"
    r"Ave\b|Boulevard|Blvd|Highway|Drive|Lane|Park|School|University|College|High|Airport|"
    r"Bridge|Valley|Mountain|Mountains|Island|Bay|Beach|Hospital|Church|Station|Square|"
    r"Center|Centre|Hall|Mall|Court|Way)\b"
)
_DIVISION_BEFORE = re.compile(r"\b(?:state\s+of|[Gg]overnor\s+of|Gov\.|Sen\.|Rep\.)\s*$")
_DIVISION_AFTER = re.compile(r"^(?:'s)?\s+(?:state\b|Gov\.|Governor|governor|legislature)")
_COUNTRY_BEFORE = re.compile(
    r"\b(?:republic\s+of|country\s+of|nation\s+of|Republic\s+of|former\s+Soviet\s+republic\s+of)\s*$"
)
_ABBREVIATION = re.compile(r"[A-Z][a-z]{1,4}\.")
_CONTAINER = re.compile(r"^,\s*(?P<region>(?:[A-Z][A-Za-z.]*\.?)(?:\s+[A-Z][A-Za-z.]*)?)")

# Score weights (log10 population is the unit: a 10x larger town is worth 1).
_ALTERNATE_PENALTY = 2.0
_KIND_BONUS = {"PCLI": 2.0, "CONT": 2.0, "ADM1": 0.5, "PPLC": 2.5}
_SAME_COUNTRY = 0.75
_NEAR_KM, _NEAR = 150, 2.5
_AROUND_KM, _AROUND = 400, 1.0
_SAME_DIVISION = 2.0
_CONTAINS_NAMED = 1.0
_WORDS_AROUND = 4.0
_PART_OF_NAMED = 2.0
_DATELINE_COUNTRY = 2.0
_DATELINE_DIVISION = 2.0


@dataclass(frozen=True)
class Toponym:
    """One mention the rules read: its offsets, text, label and entity."""

    start: int
    end: int
    text: str
    label: str
    entity_id: str | None


@dataclass
class _Unit:
    """The toponyms that must take one place: one entity, or one name key."""

    toponyms: list[Toponym]
    candidates: list[Candidate]
    excluded: bool = False
    container: tuple[tuple[str, str | None], ...] = ()
    prefers: str | None = None  # "ADM1" or "PCLI", from the words around


def resolve_toponyms(
    body: str,
    toponyms: Sequence[Toponym],
    gazetteer: Gazetteer,
    dateline: Place | None = None,
    disabled: frozenset[str] = frozenset(),
) -> tuple[list[Place | None], Place | None]:
    """Each toponym's place (None: no place fits), and the article's focus place.

    `disabled` names rules to switch off (`containment`, `words`, `context`, `abstain`,
    `not_ours`), for measuring each rule's effect.
    """
    units = _units(body, toponyms, gazetteer, disabled)
    picks = _pick(units, dateline, disabled)
    by_toponym: dict[int, Place | None] = {}
    for unit, place in zip(units, picks, strict=True):
        for toponym in unit.toponyms:
            by_toponym[id(toponym)] = place
    places = [by_toponym.get(id(toponym)) for toponym in toponyms]
    return places, focus_of(toponyms, places, dateline)


def is_toponym(label: str, text: str, gazetteer: Gazetteer) -> bool:
    if label in PLACE_LABELS:
        return True
    if label != "NORP":
        return False
    found = _lookup(gazetteer, Toponym(0, 0, text, label, None))
    return any(c.how == DEMONYM for c in found)


def _units(body, toponyms, gazetteer, disabled) -> list[_Unit]:
    groups: dict[str, list[Toponym]] = defaultdict(list)
    for toponym in toponyms:
        key = toponym_key(toponym.text)
        groups[toponym.entity_id or f"key:{key}"].append(toponym)
    units = []
    for members in groups.values():
        candidates: dict[int, Candidate] = {}
        for toponym in members:
            for candidate in _lookup(gazetteer, toponym):
                if toponym.label == "NORP" and candidate.how != DEMONYM:
                    continue
                kept = candidates.get(candidate.place.geonameid)
                if kept is None or candidate.how < kept.how:
                    candidates[candidate.place.geonameid] = candidate
        unit = _Unit(members, list(candidates.values()))
        for toponym in members:
            after = body[toponym.end : toponym.end + 40]
            before = body[max(0, toponym.start - 40) : toponym.start]
            if "containment" not in disabled:
                found = _CONTAINER.match(after)
                if found and not unit.container:
                    unit.container = resolve_region(found.group("region"))
            if "words" not in disabled and not unit.prefers:
                if _DIVISION_BEFORE.search(before) or _DIVISION_AFTER.match(after):
                    unit.prefers = "ADM1"
                elif _COUNTRY_BEFORE.search(before):
                    unit.prefers = "PCLI"
        # `Georgia` names one place however often it recurs; excluded only if every time.
        unit.excluded = "not_ours" not in disabled and all(
            _NOT_OUR_FEATURE.match(body[t.end : t.end + 40]) is not None for t in members
        )
        units.append(unit)
    return units


def _lookup(gazetteer: Gazetteer, toponym: Toponym) -> list[Candidate]:
    if _ABBREVIATION.fullmatch(toponym.text):
        # `Ind.`, `Calif.`: a state as AP style writes it, never a town or a country.
        divisions = [gazetteer.admin1(*region) for region in resolve_region(toponym.text)]
        return [Candidate(place, OFFICIAL) for place in divisions if place is not None]
    key = toponym_key(toponym.text)
    found = gazetteer.lookup(key)
    if not found and toponym.label == "NORP" and key.endswith("s"):
        found = gazetteer.lookup(key[:-1])  # `Americans`, `Syrians`
    return found


def _prior(candidate: Candidate) -> float:
    place = candidate.place
    score = math.log10(place.population + 10) + _KIND_BONUS.get(place.feature_code, 0.0)
    if candidate.how == ALTERNATE:
        score -= _ALTERNATE_PENALTY
    return score


def _inside(place: Place, container: tuple[tuple[str, str | None], ...]) -> bool:
    return any(
        place.country_code == country
        and (admin1 is None or place.admin1 == admin1)
        and not (place.is_country and admin1 is not None)
        for country, admin1 in container
    )


def _pick(units: list[_Unit], dateline: Place | None, disabled) -> list[Place | None]:
    # First pass: prior and the local rules; later passes add the article's context.
    picks: list[Candidate | None] = [None] * len(units)
    for _ in range(3):
        ranked = _ranked(units, picks, dateline, disabled)
        new_picks = [candidates[0] if candidates else None for candidates in ranked]
        if new_picks == picks:
            break
        picks = new_picks
    if "abstain" in disabled:
        return [None if pick is None else pick.place for pick in picks]
    # The best candidate the article supports (rule 7); None when there is none.
    towns = _towns(picks, dateline)
    chosen = []
    for index, candidates in enumerate(_ranked(units, picks, dateline, disabled)):
        supported = (
            c
            for c in candidates
            if not _unsupported(units[index], c, picks, towns, index, dateline)
        )
        pick = next(supported, None)
        chosen.append(None if pick is None else pick.place)
    return chosen


def _ranked(units, picks, dateline, disabled) -> list[list[Candidate]]:
    """Each unit's candidates, best first, given the other units' current picks."""
    countries, divisions, named = Counter(), Counter(), set()
    for pick in picks:
        if pick is not None:
            countries[pick.place.country_code] += 1
            divisions[(pick.place.country_code, pick.place.admin1)] += 1
            if pick.place.is_country:
                named.add(pick.place.country_code)
    towns = _towns(picks, dateline)
    ranked = []
    for index, unit in enumerate(units):
        own = picks[index]
        scored = []
        for candidate in _allowed(unit):
            place = candidate.place
            score = _prior(candidate)
            if unit.prefers and place.feature_code == unit.prefers:
                score += _WORDS_AROUND
            if "context" not in disabled:
                score += _context(place, own, countries, divisions, dateline)
                score += _proximity(place, towns, index)
                if place.country_code in named and place.feature_code in ("ADM1", "PPLC"):
                    # `Georgia` in a story about the US; `Washington` is its capital.
                    score += _PART_OF_NAMED
            scored.append((-score, place.geonameid, candidate))
        ranked.append([candidate for _, _, candidate in sorted(scored)])
    return ranked


def _towns(picks, dateline: Place | None) -> list[tuple[int, Place]]:
    """The populated places picked so far (with their unit), and the dateline's."""
    towns = [(i, p.place) for i, p in enumerate(picks) if p and p.place.is_populated_place]
    if dateline is not None and dateline.is_populated_place:
        towns.append((-1, dateline))
    return towns


def _nearest_km(place: Place, towns, index: int) -> float:
    return min(
        (distance_km(place, town) for i, town in towns if i != index and town != place),
        default=math.inf,
    )


def _proximity(place: Place, towns, index: int) -> float:
    """Towns near the article's other towns: `Paris` beside `Texas` towns is in Texas."""
    if not place.is_populated_place:
        return 0.0
    nearest = _nearest_km(place, towns, index)
    return _NEAR if nearest < _NEAR_KM else _AROUND if nearest < _AROUND_KM else 0.0


def distance_km(a: Place, b: Place) -> float:
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of the Earth's mean radius."""
    p = math.pi / 180
    h = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def _allowed(unit: _Unit) -> list[Candidate]:
    if unit.excluded:
        return []
    if unit.container:
        inside = [c for c in unit.candidates if _inside(c.place, unit.container)]
        if inside:
            return inside
    return unit.candidates


def _context(place: Place, own, countries, divisions, dateline) -> float:
    """What the rest of the article says for this place (its own vote taken out)."""
    own_country = own.place.country_code if own else None
    own_division = (own.place.country_code, own.place.admin1) if own else None
    same_country = countries[place.country_code] - (own_country == place.country_code)
    score = 0.0
    if place.country_code is not None and same_country > 0:
        if place.is_country:
            score += _CONTAINS_NAMED * min(same_country, 3)
        else:
            score += _SAME_COUNTRY * min(same_country, 3) ** 0.5
    if place.admin1 is not None and not place.is_country:
        division = (place.country_code, place.admin1)
        same_division = divisions[division] - (own_division == division)
        if same_division > 0:
            score += _SAME_DIVISION * min(same_division, 3) ** 0.5
    if dateline is not None and place.country_code == dateline.country_code:
        score += _DATELINE_COUNTRY
        if place.admin1 is not None and place.admin1 == dateline.admin1:
            score += _DATELINE_DIVISION
    return score


def _unsupported(unit: _Unit, pick: Candidate, picks, towns, index: int, dateline) -> bool:
    """A town nothing near it or in its division supports, and small or named aside."""
    place = pick.place
    if not place.is_populated_place or (unit.container and _inside(place, unit.container)):
        return False
    divisions = {
        (p.place.country_code, p.place.admin1)
        for i, p in enumerate(picks)
        if p is not None and i != index and not p.place.is_country
    }
    if dateline is not None:
        divisions.add((dateline.country_code, dateline.admin1))
    if (place.country_code, place.admin1) in divisions:
        return False
    if _nearest_km(place, towns, index) < _AROUND_KM:
        return False
    return pick.how == ALTERNATE or place.population < MIN_UNSUPPORTED_POPULATION


def focus_of(
    toponyms: Sequence[Toponym], places: Sequence[Place | None], dateline: Place | None
) -> Place | None:
    counts: Counter[int] = Counter()
    first: dict[int, int] = {}
    by_id: dict[int, Place] = {}
    for toponym, place in zip(toponyms, places, strict=True):
        if place is None:
            continue
        counts[place.geonameid] += 1
        first.setdefault(place.geonameid, toponym.start)
        by_id[place.geonameid] = place
    if dateline is not None:
        counts[dateline.geonameid] += 2
        first[dateline.geonameid] = -1
        by_id[dateline.geonameid] = dateline
    if not counts:
        return None

    def rank(geonameid: int):
        place = by_id[geonameid]
        # A country ties below a place inside it: the story is about the city.
        broader = place.is_country or place.feature_code == "CONT"
        return (-counts[geonameid], broader, first[geonameid])

    return by_id[min(counts, key=rank)]
