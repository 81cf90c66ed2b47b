"""Linking people across articles: a bare or partial name -> the full name it stands for.

`entity_id` is canonical inside one article: an article that says "Bill
Clinton" and later "Clinton" gives both mentions the id of Bill Clinton, but
an article that only ever says "Clinton" gets the id of "Clinton". These
rules link such partial names to a full name seen in other articles of the
same period (a calendar month of `published_date`; undated articles form one
period of their own), so that grouping by `person_id` counts a person once.

Rules, per period, over the PERSON entities of every article in it:
- A name's tokens are folded (`fold_tokens`), without a generational suffix
  (`Jr`, `Sr`, `II`, `III`).
- A *partial* name is a proper suffix of another name's tokens: `Clinton` of
  `Bill Clinton`, `Suu Kyi` of `Aung San Suu Kyi`. A given name alone
  (`Hillary`) is not a suffix, so it is never linked.
- Its candidates are the *full* names (names that are no suffix of a longer
  one, with more than initials before the surname: `P. Nixon` is no
  candidate) it is a suffix of. `George Bush` and `George W. Bush` are both full:
  two people, never merged with each other.
- The partial links to the candidate named in the most articles when that
  candidate is named in at least `MIN_ARTICLES` articles and in more than
  `DOMINANCE` of the articles that name any candidate. Otherwise (two
  Williamses, George Bush against George W. Bush in one month) it stays
  apart under its own id.

Example: in August 1996, 40 articles say "Boris Yeltsin", none another
Yeltsin, and 12 say only "Yeltsin": the 12 link to Boris Yeltsin's id.

Pure functions over plain values; `transforms.commit_plan` runs them at each
commit over the stored and the new entities of the periods it touches and
writes the `person_links` table; `PEOPLE_VIEW_SQL` reads it back as one
`person_id` per PERSON entity row.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from schemas.tables import PersonLinkRow
from transforms.entities import fold_tokens

# The least evidence for a link: a full name in one article could be anyone's.
MIN_ARTICLES = 2
# The share of the candidates' articles the chosen full name must exceed.
DOMINANCE = 2 / 3
GENERATIONAL_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclasses.dataclass(frozen=True)
class PersonName:
    """One PERSON entity of one article, with the period its article falls in."""

    article_id: str
    period: datetime.date | None
    entity_id: str
    name: str


def period_of(published: datetime.date | None) -> datetime.date | None:
    """The first day of the date's month: the period a link holds in."""
    return published.replace(day=1) if published is not None else None


def name_tokens(name: str) -> tuple[str, ...]:
    tokens = fold_tokens(name)
    while len(tokens) > 1 and tokens[-1] in GENERATIONAL_SUFFIXES:
        tokens.pop()
    return tuple(tokens)


@dataclasses.dataclass
class _NameStats:
    name: str
    tokens: tuple[str, ...]
    articles: set = dataclasses.field(default_factory=set)


def _stats_by_entity(names: Iterable[PersonName]) -> dict[str, _NameStats]:
    stats = {}
    for person in names:
        entry = stats.get(person.entity_id)
        if entry is None:
            entry = stats[person.entity_id] = _NameStats(person.name, name_tokens(person.name))
        entry.articles.add(person.article_id)
    return {entity_id: entry for entity_id, entry in stats.items() if entry.tokens}


def _initials_only(tokens: tuple[str, ...]) -> bool:
    """`P. Nixon`: a team sheet's initial says too little to stand for every Nixon."""
    return all(len(token) == 1 for token in tokens[:-1])


def _links_in_period(stats: dict[str, _NameStats]) -> list[PersonLinkRow]:
    by_suffix = defaultdict(list)  # a proper suffix -> the entities whose names end in it
    for entity_id, entry in stats.items():
        for start in range(1, len(entry.tokens)):
            by_suffix[entry.tokens[start:]].append(entity_id)
    full = {
        entity_id
        for entity_id, entry in stats.items()
        if entry.tokens not in by_suffix and not _initials_only(entry.tokens)
    }
    links = []
    for entity_id, entry in stats.items():
        candidates = [other for other in by_suffix.get(entry.tokens, ()) if other in full]
        if not candidates:
            continue
        counts = sorted(
            ((len(stats[c].articles), stats[c].name, c) for c in candidates), reverse=True
        )
        total = sum(count for count, _, _ in counts)
        best_count, best_name, best_id = counts[0]
        if best_count < MIN_ARTICLES or best_count <= DOMINANCE * total:
            continue
        links.append(
            PersonLinkRow(
                entity_id=entity_id,
                name=entry.name,
                person_id=best_id,
                person_name=best_name,
                articles=len(entry.articles),
                person_articles=best_count,
                candidate_articles=total,
            )
        )
    return sorted(links, key=lambda link: link.entity_id)


def link_people(names: Iterable[PersonName]) -> dict[datetime.date | None, list[PersonLinkRow]]:
    """period -> the links the rules above make in it (every period named, links or not)."""
    by_period = defaultdict(list)
    for person in names:
        by_period[person.period].append(person)
    return {
        period: _links_in_period(_stats_by_entity(people)) for period, people in by_period.items()
    }


# PERSON entities with the id to group by; `dateline sql` defines it as the view `people`.
PEOPLE_VIEW_SQL = """
CREATE VIEW people AS
SELECT entities.*,
       coalesce(person_links.person_id, entities.entity_id) AS person_id,
       coalesce(person_links.person_name, entities.name) AS person_name
FROM entities
LEFT JOIN person_links
  ON person_links.entity_id = entities.entity_id
 AND person_links.period IS NOT DISTINCT FROM CAST(date_trunc('month', entities.date) AS DATE)
WHERE entities.label = 'PERSON'
"""
