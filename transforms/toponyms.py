"""Which GeoNames place each place name of one article stands for, and the story's focus.

Pure rules over one article's mentions and the gazetteer (`transforms.gazetteer`); no
Beam, no model. A *toponym* is a GPE, LOC or FAC mention, or a NORP mention whose text
is a country's demonym (`Syrian`, `American`). All toponyms of one entity, and of one
name key, take one place (one sense per article). Each rule below was measured on LGL
with `bench/eval_places.py --ablate` (figures in the README's quality section):

1. Candidates: every gazetteer place the name (or, for NORP, the demonym) keys to;
   AP's state abbreviations (`Ind.`, `N.C.`, `W.Va.`, with or without the period
   in the span) only the state; `North Texas`, `South Los Angeles` the place after
   the compass word when nothing has the whole name. A place reached by another of
   its names (`Reisterstown` is also `Washington`) needs the text to support it
   more than one reached by its own name, and a capital so reached is no capital
   (`Philadelphia` is also Amman). A division named after its main town (`Tel
   Aviv`, `New York`) stands for the town unless the words around say division.
2. Not a place of ours: a name followed by `County`, `Parish` or `counties` is the
   county of that name (`Rapides` in `Rapides Parish`); followed by `River`,
   `Street`, `Road`... it names a feature the gazetteer lacks (roads, rivers), so it
   resolves to nothing rather than to the town of that name. A name in lower case
   (`metro`) is a common noun the model tagged.
3. Containment: `Springfield, Illinois`, `Springfield, Ill.`, `Paris, France` keep only
   candidates inside the division or country after the comma, and that place resolves
   to the division or country holding the first.
4. Words around: `state of Georgia`, `Georgia Gov.`, `Washington state` prefer a
   first-order division; `republic of Georgia`, `the country of` prefer a country.
5. Context: a first-order division or a capital gains when the article names its
   country (`a woman from Georgia` in a story about the US; `Washington` there is
   the capital); a candidate gains for other toponyms whose best reading lies in
   its country, more in its division, more for towns and counties within 150 km
   (less within 400 km), and for the dateline's country and division; a country
   gains for each place named inside it (`Georgia's capital Tbilisi`). Other names
   of the same place never vote for it.
6. Prior: otherwise the larger place (population, then countries over divisions over
   towns): `Moscow` is Russia's, `Paris` is France's.
7. Abstain: a town or county with nothing in its division or within 400 km named,
   and smaller than `MIN_UNSUPPORTED_POPULATION` or reached by another of its
   names, is not taken: the next supported candidate is, else NULL (a NULL beats a
   wrong point). Nor is a first-order division smaller than
   `MIN_UNSUPPORTED_DIVISION_POPULATION` in a country nothing else in the article
   is in (Barbados' `Saint Michael` in a US story).

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
    great_circle_km,
    toponym_key,
)
from transforms.places import resolve_region

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Below this a town no other toponym of the article supports resolves to NULL.
MIN_UNSUPPORTED_POPULATION = 100_000
# Below this a first-order division nothing else in its country supports resolves to NULL.
MIN_UNSUPPORTED_DIVISION_POPULATION = 1_000_000

_NOT_OUR_FEATURE = re.compile(
    r"\s*(?:County|Counties|Parish|Township|River|Creek|Lake|Street|St\b|Road|Rd\b|Avenue|"
    r"Ave\b|Boulevard|Blvd|Highway|Drive|Lane|Park|School|University|College|High|Airport|"
    r"Bridge|Valley|Mountain|Mountains|Island|Bay|Beach|Hospital|Church|Station|Square|"
    r"Center|Centre|Hall|Mall|Court|Way)\b"
)
_DIVISION_WORD_AFTER = re.compile(r"\s+(County|Parish|Borough|counties|parishes|boroughs)\b")
_DIVISION_WORD = {
    "county": "County",
    "counties": "County",
    "parish": "Parish",
    "parishes": "Parish",
    "borough": "Borough",
    "boroughs": "Borough",
}
_DIVISION_BEFORE = re.compile(r"\b(?:state\s+of|[Gg]overnor\s+of|Gov\.|Sen\.|Rep\.)\s*$")
_DIVISION_AFTER = re.compile(r"^(?:'s)?\s+(?:state\b|Gov\.|Governor|governor|legislature)")
_COUNTRY_BEFORE = re.compile(
    r"\b(?:republic\s+of|country\s+of|nation\s+of|Republic\s+of|former\s+Soviet\s+republic\s+of)\s*$"
)
# AP's state abbreviations: `Ind.`, `Calif.`, and the initials `N.C.`, `S.D.`, `W.Va.`,
# `D.C.` (not `L.A.`, which is Los Angeles, nor `U.S.`).
_ABBREVIATION = re.compile(
    r"[A-Z][a-z]{1,4}\.|[NS]\.\s?[CD]\.|N\.\s?[HJMY]\.|R\.\s?I\.|D\.\s?C\.|W\.\s?Va\."
)
_PART_OF = re.compile(
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|central|"
    r"northern|southern|eastern|western|downtown|greater|metro|upstate|downstate)"
    r"\s+(?P<rest>.+)"
)
_CONTAINER = re.compile(r"^,\s*(?P<region>(?:[A-Z][A-Za-z.]*\.?)(?:\s+[A-Z][A-Za-z.]*)?)")

# Score weights (log10 population is the unit: a 10x larger town is worth 1).
_ALTERNATE_PENALTY = 2.0
# A division is named after a town of its name holding a quarter of its people.
_MAIN_TOWN_SHARE = 4
_KIND_BONUS = {"PCLI": 2.0, "CONT": 2.0, "PPLC": 2.5}
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
            for candidate in _lookup(gazetteer, toponym, body[toponym.end : toponym.end + 1]):
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
        if "not_ours" not in disabled:
            counties = _counties_named(body, members, gazetteer)
            if counties:
                unit.candidates = counties
            else:
                # `Georgia` names one place however often it recurs; excluded only if
                # every time.
                unit.excluded = all(
                    _NOT_OUR_FEATURE.match(body[t.end : t.end + 40]) is not None for t in members
                )
        units.append(unit)
    return units


def _counties_named(body: str, members: list[Toponym], gazetteer: Gazetteer) -> list[Candidate]:
    """`Rapides` in `Rapides Parish`, `Callahan` in `Eastland and Callahan counties`:
    the counties of that name, when the span stopped short of the division word."""
    for toponym in members:
        found = _DIVISION_WORD_AFTER.match(body[toponym.end : toponym.end + 20])
        if found:
            word = _DIVISION_WORD[found.group(1).lower()]
            key = toponym_key(f"{toponym.text} {word}")
            return [c for c in gazetteer.lookup(key) if c.place.feature_code == "ADM2"]
    return []


def _lookup(gazetteer: Gazetteer, toponym: Toponym, next_char: str = "") -> list[Candidate]:
    text = toponym.text
    if text.islower():
        return []  # `metro`, `gulf`: a common noun the model tagged, not a name
    if next_char == "." and _ABBREVIATION.fullmatch(text + "."):
        text += "."  # spaCy often leaves the period out of the span: `Ind` in `Ind.,`
    if _ABBREVIATION.fullmatch(text):
        # A state as AP style writes it, never a town or a country.
        divisions = [gazetteer.admin1(*region) for region in resolve_region(text) if region[1]]
        return [Candidate(place, OFFICIAL) for place in divisions if place is not None]
    key = toponym_key(toponym.text)
    found = gazetteer.lookup(key)
    if not found and toponym.label == "NORP" and key.endswith("s"):
        found = gazetteer.lookup(key[:-1])  # `Americans`, `Syrians`
    if not found:
        part = _PART_OF.match(key)
        if part:
            # `North Texas`, `Northeast Georgia`, `South Los Angeles`: a part of the place
            # (names that are places themselves, `North Carolina`, were found above).
            found = [c for c in gazetteer.lookup(part.group("rest")) if c.how == OFFICIAL]
    return found


def _prior(candidate: Candidate) -> float:
    place = candidate.place
    score = math.log10(place.population + 10) + _KIND_BONUS.get(place.feature_code, 0.0)
    if candidate.how == ALTERNATE:
        score -= _ALTERNATE_PENALTY
        if place.feature_code == "PPLC":
            # A capital reached by an old name (`Philadelphia` is also Amman) is no capital.
            score -= _KIND_BONUS["PPLC"]
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
    countries, divisions, named, places = Counter(), Counter(), set(), Counter()
    for pick in picks:
        if pick is not None:
            places[pick.place.geonameid] += 1
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
                score += _context(place, own, countries, divisions, places, dateline)
                score += _proximity(place, towns, index)
                if place.country_code in named and place.feature_code in ("ADM1", "PPLC"):
                    # `Georgia` in a story about the US; `Washington` is its capital.
                    score += _PART_OF_NAMED
            scored.append((-score, place.geonameid, candidate))
        ranked.append([candidate for _, _, candidate in sorted(scored)])
    return ranked


def _towns(picks, dateline: Place | None) -> list[tuple[int, Place]]:
    """The populated places picked so far (with their unit), and the dateline's."""
    towns = [(i, p.place) for i, p in enumerate(picks) if p and p.place.is_local]
    if dateline is not None and dateline.is_local:
        towns.append((-1, dateline))
    return towns


def _nearest_km(place: Place, towns, index: int) -> float:
    return min(
        (distance_km(place, town) for i, town in towns if i != index and town != place),
        default=math.inf,
    )


def _proximity(place: Place, towns, index: int) -> float:
    """Towns near the article's other towns: `Paris` beside `Texas` towns is in Texas."""
    if not place.is_local:
        return 0.0
    nearest = _nearest_km(place, towns, index)
    return _NEAR if nearest < _NEAR_KM else _AROUND if nearest < _AROUND_KM else 0.0


def distance_km(a: Place, b: Place) -> float:
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _allowed(unit: _Unit) -> list[Candidate]:
    if unit.excluded:
        return []
    candidates = unit.candidates
    if unit.container:
        inside = [c for c in candidates if _inside(c.place, unit.container)]
        if inside:
            candidates = inside
    if unit.prefers == "ADM1":
        return candidates
    # A division named after its main town (`Tel Aviv`, `Istanbul`; `New York`, which
    # is another name of New York City) stands for the town, by the division's own
    # name, unless the words around say division (`New York state`).
    divisions = [c for c in candidates if c.place.is_admin1]
    kept = []
    for candidate in candidates:
        if candidate.place.is_admin1 and _main_town(candidate, candidates) is not None:
            continue
        named_as = [d.how for d in divisions if _main_town(d, [candidate]) is not None]
        kept.append(Candidate(candidate.place, min([candidate.how, *named_as])))
    return kept


def _main_town(division: Candidate, candidates: list[Candidate]) -> Place | None:
    """The town among the candidates the division is named after: in it, and holding
    a quarter of its people or more."""
    return next(
        (
            c.place
            for c in candidates
            if c.place.is_populated_place
            and c.how != DEMONYM
            and c.place.country_code == division.place.country_code
            and c.place.admin1 == division.place.admin1
            and c.place.population * _MAIN_TOWN_SHARE >= division.place.population
        ),
        None,
    )


def _context(place: Place, own, countries, divisions, places, dateline) -> float:
    """What the rest of the article says for this place: its own vote taken out, and
    the votes of other names for the same place (`North Georgia` does not make
    `Georgia` the country)."""
    own_country = own.place.country_code if own else None
    own_division = (own.place.country_code, own.place.admin1) if own else None
    itself = places[place.geonameid] - (own is not None and own.place == place)
    same_country = countries[place.country_code] - (own_country == place.country_code) - itself
    score = 0.0
    if place.country_code is not None and same_country > 0:
        if place.is_country:
            score += _CONTAINS_NAMED * min(same_country, 3)
        else:
            score += _SAME_COUNTRY * min(same_country, 3) ** 0.5
    if place.admin1 is not None and not place.is_country:
        division = (place.country_code, place.admin1)
        same_division = divisions[division] - (own_division == division) - itself
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
    if unit.container and _inside(place, unit.container):
        return False
    if place.is_admin1:
        return _unsupported_division(place, picks, index, dateline)
    if not place.is_local:
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


def _unsupported_division(place: Place, picks, index: int, dateline) -> bool:
    """A small first-order division (Barbados' `Saint Michael`) no other toponym and no
    dateline places in its country."""
    if place.population >= MIN_UNSUPPORTED_DIVISION_POPULATION:
        return False
    countries = {p.place.country_code for i, p in enumerate(picks) if p is not None and i != index}
    if dateline is not None:
        countries.add(dateline.country_code)
    return place.country_code not in countries


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
