"""Linking people across articles: a bare or partial name -> the full name it stands for.

`entity_id` is canonical inside one article: an article that says "Bill
Clinton" and later "Clinton" gives both mentions the id of Bill Clinton, but
an article that only ever says "Clinton" gets the id of "Clinton". These
rules link such partial names to a full name seen in other articles of the
same period (a calendar month of the article's date; undated articles form
one period of their own), so that grouping by `person_id` counts a person once.

Rules, per period, over how many articles name each PERSON entity:
- A name's tokens are folded (`fold_tokens`), without a generational suffix
  (`Jr`, `Sr`, `II`, `III`).
- A *partial* name is a proper suffix of another name's tokens: `Clinton` of
  `Bill Clinton`, `Suu Kyi` of `Aung San Suu Kyi`. A given name alone
  (`Hillary`) is not a suffix, so it is never linked.
- Its candidates are the *full* names (names that are no suffix of a longer
  one, with more than initials before the surname: `P. Nixon` is no
  candidate) it is a suffix of. `George Bush` and `George W. Bush` are both full:
  two people, never merged with each other.
- A one-word partial that opens full names in at least as many articles as
  it ends them (`Robert`: Robert De Niro, Robert Kilroy-Silk against Laurent
  Robert) is more likely a given name: it is not linked.
- The partial links to the candidate named in the most articles when that
  candidate is named in at least `MIN_ARTICLES` articles and in more than
  `DOMINANCE` of the articles that name any candidate. Otherwise (two
  Williamses, George Bush against George W. Bush in one month) it stays
  apart under its own id.

Example: in August 1996, 40 articles say "Boris Yeltsin", none another
Yeltsin, and 12 say only "Yeltsin": the 12 link to Boris Yeltsin's id.

The rules need only a count of articles per name and period, which is what
the `person_names` table keeps: `transforms.commit_plan` adds each commit's
new PERSON entities to the counts of the months it touches, subtracts those
it removes, and rewrites those months' rows with `person_names_rows`.
`PEOPLE_VIEW_SQL` joins them back as one `person_id` per PERSON entity row.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from schemas.tables import PersonNameRow
from transforms.entity_names import fold_tokens

# The least evidence for a link: a full name in one article could be anyone's.
MIN_ARTICLES = 2
# The share of the candidates' articles the chosen full name must exceed.
DOMINANCE = 2 / 3
GENERATIONAL_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclasses.dataclass
class NameCount:
    """How many articles of a period name one PERSON entity, and its name."""

    name: str
    articles: int = 0

    def add(self, name: str, articles: int) -> None:
        # The smallest spelling, so the name does not depend on commit order.
        self.name = min(self.name, name)
        self.articles += articles


def period_of(published: datetime.date | None) -> datetime.date | None:
    """The first day of the date's month: the period a link holds in."""
    return published.replace(day=1) if published is not None else None


def name_tokens(name: str) -> tuple[str, ...]:
    tokens = fold_tokens(name)
    while len(tokens) > 1 and tokens[-1] in GENERATIONAL_SUFFIXES:
        tokens.pop()
    return tuple(tokens)


def count_names(rows: Iterable[tuple[str, str]], sign: int = 1, counts=None) -> dict:
    """(entity_id, name) rows, one per article naming it -> entity_id -> NameCount.

    `sign=-1` subtracts rows (of removed files) from `counts`.
    """
    counts = {} if counts is None else counts
    for entity_id, name in rows:
        entry = counts.get(entity_id)
        if entry is None:
            entry = counts[entity_id] = NameCount(name)
        entry.add(name, sign)
    return counts


def _initials_only(tokens: tuple[str, ...]) -> bool:
    """`P. Nixon`: a team sheet's initial says too little to stand for every Nixon."""
    return all(len(token) == 1 for token in tokens[:-1])


def _links(counts: dict[str, NameCount]) -> dict[str, tuple[str, int, int]]:
    """partial entity_id -> (its person's entity_id, that person's articles, candidates')."""
    tokens = {entity_id: name_tokens(entry.name) for entity_id, entry in counts.items()}
    by_suffix = defaultdict(list)  # a proper suffix -> the entities whose names end in it
    for entity_id, words in tokens.items():
        for start in range(1, len(words)):
            by_suffix[words[start:]].append(entity_id)
    full = {
        entity_id
        for entity_id, words in tokens.items()
        if words and words not in by_suffix and not _initials_only(words)
    }
    as_given_name = defaultdict(int)  # a word -> articles naming a full name that opens with it
    for entity_id in full:
        as_given_name[tokens[entity_id][0]] += counts[entity_id].articles
    links = {}
    for entity_id, words in tokens.items():
        candidates = [other for other in by_suffix.get(words, ()) if other in full]
        if not words or not candidates:
            continue
        ranked = sorted(((counts[c].articles, counts[c].name, c) for c in candidates), reverse=True)
        total = sum(articles for articles, _, _ in ranked)
        if len(words) == 1 and as_given_name[words[0]] >= total:
            continue  # `Robert` alone is more often someone's given name than Laurent Robert
        best_articles, _, best_id = ranked[0]
        if best_articles >= MIN_ARTICLES and best_articles > DOMINANCE * total:
            links[entity_id] = (best_id, best_articles, total)
    return links


def person_names_rows(counts: dict[str, NameCount]) -> list[PersonNameRow]:
    """One row per name named in the period, with the person it stands for (itself if none)."""
    counts = {entity_id: entry for entity_id, entry in counts.items() if entry.articles > 0}
    links = _links(counts)
    rows = []
    for entity_id, entry in sorted(counts.items()):
        person_id, person_articles, candidate_articles = links.get(
            entity_id, (entity_id, None, None)
        )
        rows.append(
            PersonNameRow(
                entity_id=entity_id,
                name=entry.name,
                articles=entry.articles,
                person_id=person_id,
                person_name=counts[person_id].name,
                person_articles=person_articles,
                candidate_articles=candidate_articles,
            )
        )
    return rows


def person_ids(names: Iterable[tuple[datetime.date | None, str, str]]) -> dict:
    """(period, entity_id, name) per article naming it -> (period, entity_id) -> person_id.

    The whole computation in memory, for benches and tests.
    """
    by_period = defaultdict(list)
    for period, entity_id, name in names:
        by_period[period].append((entity_id, name))
    return {
        (period, row.entity_id): row.person_id
        for period, rows in by_period.items()
        for row in person_names_rows(count_names(rows))
    }


# PERSON entities with the id to group by; `dateline sql` defines it as the view `people`.
PEOPLE_VIEW_SQL = """
CREATE VIEW people AS
SELECT entities.*,
       coalesce(person_names.person_id, entities.entity_id) AS person_id,
       coalesce(person_names.person_name, entities.name) AS person_name
FROM entities
LEFT JOIN person_names
  ON person_names.entity_id = entities.entity_id
 AND person_names.period IS NOT DISTINCT FROM CAST(date_trunc('month', entities.date) AS DATE)
WHERE entities.label = 'PERSON'
"""
