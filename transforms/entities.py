"""In-article entity resolution: cleaned mentions joined into canonical entities.

Input is what spaCy found in one article body (`RawSpan`s: offsets, label,
sentence index); output is one `Mention` per kept span and one `Entity` per
canonical entity of the article. No Beam, no I/O, no model: the same spans
always give the same rows, on any worker, in any run. Spans are cleaned first
(`transforms.entity_spans`: trimming, brackets, title fragments, acronym
definitions); labels, kinds, name folding and ids are `transforms.entity_names`.

Example: in `US National Security Advisor John Bolton's visit ... Bolton said`
spaCy tags `US National Security` (ORG), `John Bolton's` (PERSON) and `Bolton`
(PERSON). Out come a title-fragment mention `US National Security` with no
entity, a mention `John Bolton` (possessive stripped, offsets moved), a
mention `Bolton`, and one PERSON entity `John Bolton` with two mentions.

In-article resolution (a union of mention groups; each rule is conservative)
1. Mentions with the same folded text are one group, whatever their labels.
2. Groups with the same identity key join (`Sergei Shoigu` + `Sergey Shoigu`,
   `US` + `the United States`).
3. Short forms: a one-token group with at least one PERSON mention joins the
   unique multi-token PERSON whose last token it equals (`Shoigu` -> `Sergei
   Shoigu`, even where one `Shoigu` was tagged GPE; `Volcker`, tagged ORG 14
   times, -> `Paul Volcker`); the joined mentions count as PERSON. Several
   candidates (`Bill Clinton` and `Hillary Clinton`; `George Bush` and `George
   W. Bush`) leave a bare `Clinton`/`Bush` alone, and so does an initial the
   text puts before the surname that no candidate has (`S Williams` with an
   untagged `M Williams`). A first name alone (`Paula` -> `Paula Radcliffe`)
   joins the same way, but only when spaCy tagged it PERSON every time and the
   text never writes `Mr/Mrs/Ms/Dr` before it (`Mr Howard` is a surname).
4. Typos: a PERSON whose surname is one edit (transpositions count as one;
   fuzz ratio >= 85) from exactly one other PERSON's surname joins it when
   that person has more mentions and the first names, if both given, agree
   (`Partushev` -> `Nikolai Patrushev`; never `Jane Smyth` -> `John Smith`).
   Substitutions and transpositions need 5 letters, insertions and deletions
   7: `Horan`/`Horgan` and `Malone`/`Maloney` are different players.
5. Acronyms the text defines (`Long Form (ABBR)`, `Long Form (ABBR Treaty)`,
   `ABBR [Long Form]`, with a capitalised long form whose initials spell the
   acronym) join `ABBR`, `ABBR <head noun>` and the long form, for non-PERSON
   groups; an entity seen only as `START` in an article that defines it is
   named `Strategic Arms Reduction Treaty`.
Then an entity takes the majority label of its mentions (ties: the label of its
fullest form, then PERSON > ORG > GPE > ...), and its mentions take that label;
its name is its fullest form (most tokens, then most frequent, then longest,
then first); `first_char` is its first mention; entities come out by
`first_char`.

Limits: no global state means an article that only says `Shoigu` gives the
id of `Shoigu`, not of `Sergei Shoigu`; spaCy's errors this module cannot see
stay (a person tagged ORG throughout an article; a film `Ray` tagged PERSON
joins `Ray Charles`; a club tagged PERSON, `Manchester United`, takes in a bare
`Manchester` tagged PERSON).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from transforms.entity_names import (
    HEAD_NOUNS,
    canonical_given_name,
    entity_id,
    fold_tokens,
    id_for,
    identity_key,
    kind_of,
    surface_key,
)
from transforms.entity_spans import CleanSpan, RawSpan, clean_spans, find_acronyms, split_head

# The public API, in one place: spans in, mentions and entities out, and the id of a name.
__all__ = [
    "Entity",
    "Join",
    "Mention",
    "RawSpan",
    "id_for",
    "resolve_entities",
    "resolve_entities_traced",
]


@dataclass(frozen=True)
class Mention:
    """A cleaned mention; `text == body[start_char:end_char]`; entity_id None if not countable."""

    entity_id: str | None
    text: str
    label: str
    start_char: int
    end_char: int
    sentence: int
    # The GeoNames place of a toponym (transforms/toponyms.py); None when none fits.
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    feature_code: str | None = None


@dataclass(frozen=True)
class Entity:
    """One canonical entity of one article."""

    entity_id: str
    name: str
    label: str
    mention_count: int
    first_char: int
    # The GeoNames place of a toponym (transforms/toponyms.py); None when none fits.
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    feature_code: str | None = None


@dataclass(frozen=True)
class Join:
    """A mention group that resolution put into an entity of another surface form."""

    surface: str
    name: str
    entity_id: str
    label: str
    rule: str


# Breaks label ties inside an entity when its fullest form does not decide.
LABEL_PRIORITY = [
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "FAC",
    "NORP",
    "EVENT",
    "PRODUCT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
]


# --- resolution -------------------------------------------------------------------------


class _UnionFind:
    """Union-find over mention groups, remembering which rule joined each group."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.rule: dict[int, str] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, joining: int, target: int, rule: str) -> None:
        a, b = self.find(joining), self.find(target)
        if a != b:
            self.parent[a] = b
            self.rule.setdefault(joining, rule)
            self.rule.setdefault(target, rule)


@dataclass
class _Group:
    """Mentions with one surface key."""

    key: str
    members: list[CleanSpan]

    @property
    def labels(self) -> Counter:
        return Counter(m.label for m in self.members)

    @property
    def tokens(self) -> list[str]:
        return fold_tokens(self.members[0].name)

    def majority(self) -> str:
        return _majority_label(self.members)


def _fullest(members: Sequence[CleanSpan]) -> CleanSpan:
    """The mention whose name is the fullest: most tokens, most frequent, longest, first."""
    counts = Counter(surface_key(m.name) for m in members)
    return min(
        members,
        key=lambda m: (
            -len(fold_tokens(m.name)),
            -counts[surface_key(m.name)],
            -len(m.name),
            m.start,
        ),
    )


def _majority_label(members: Sequence[CleanSpan]) -> str:
    votes = Counter(m.label for m in members)
    best = max(votes.values())
    tied = [label for label, n in votes.items() if n == best]
    if len(tied) == 1:
        return tied[0]
    full = _fullest(members)
    full_votes = Counter(m.label for m in members if surface_key(m.name) == surface_key(full.name))
    top = [label for label in tied if full_votes[label] == max(full_votes[t] for t in tied)]
    return min(
        top, key=lambda label: LABEL_PRIORITY.index(label) if label in LABEL_PRIORITY else 99
    )


_SURNAME_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mme|Herr)\.?\s+$")


def _after_surname_honorific(body: str, members: Sequence[CleanSpan]) -> bool:
    return any(_SURNAME_HONORIFIC.search(body[max(0, m.start - 8) : m.start]) for m in members)


_ONE_WORD = re.compile(r"\w+")
# The word is in a lookahead so that matches overlap: in `J R Williams` both `J R`
# and `R Williams` are found, as the per-surname pattern below finds them.
_INITIAL_THEN_WORD = re.compile(r"(?<![\w.])([A-Z])\.?\s+(?=(\w+))")


@functools.lru_cache(maxsize=4)
def _initials_before_words(body: str) -> dict[str, set[str]]:
    """word -> the initials written before it (`S Williams` gives "Williams": {"s"}), read
    in one pass so a long body is not searched once per surname."""
    initials: dict[str, set[str]] = {}
    for match in _INITIAL_THEN_WORD.finditer(body):
        initials.setdefault(match.group(2), set()).add(match.group(1).lower())
    return initials


def _other_initials(body: str, surname: str, anchors) -> bool:
    """The body names someone `X Surname` (an initial) whose initial no anchor has:
    a team sheet's `S Williams, ..., R Williams` makes a bare `Williams` ambiguous."""
    if _ONE_WORD.fullmatch(surname):
        initials = _initials_before_words(body).get(surname, set())
    else:
        pattern = rf"(?<![\w.])([A-Z])\.?\s+{re.escape(surname)}\b"
        initials = {m.group(1).lower() for m in re.finditer(pattern, body)}
    token = surface_key(surname)
    anchor_initials = {g.tokens[0][0] for g in anchors if g.tokens[-1] == token}
    return bool(initials - anchor_initials)


def _has_middle_initial(tokens: list[str]) -> bool:
    return len(tokens) >= 3 and any(len(t) == 1 for t in tokens[1:-1])


@dataclass
class _Resolution:
    """What the rules work on: one article's mention groups and the union-find joining them."""

    body: str
    groups: list[_Group]
    uf: _UnionFind
    # A short form joined to a person is that person, whatever spaCy called its mentions
    # (`Volcker` tagged ORG 14 times and PERSON once next to `Paul Volcker`).
    as_person: set[int] = field(default_factory=set)

    def voters(self, idxs) -> list[CleanSpan]:
        """The mentions of these groups, as PERSON where the group was joined as a person."""
        return [
            replace(m, label="PERSON") if j in self.as_person else m
            for j in idxs
            for m in self.groups[j].members
        ]

    def cluster_of(self, i: int) -> list[int]:
        """The groups joined with group `i`, itself included."""
        uf = self.uf
        return [j for j in range(len(self.groups)) if uf.find(j) == uf.find(i)]

    def clusters(self) -> dict[int, list[int]]:
        """Each root -> the groups joined under it, in group order."""
        roots: dict[int, list[int]] = defaultdict(list)
        for j in range(len(self.groups)):
            roots[self.uf.find(j)].append(j)
        return roots


def _group_mentions(body: str, cleaned: Sequence[CleanSpan]) -> _Resolution:
    """Rule 1: countable mentions with the same folded text are one group."""
    countable = [c for c in cleaned if c.countable and not c.fragment]
    by_key: dict[str, list[CleanSpan]] = defaultdict(list)
    for c in countable:
        by_key[surface_key(c.name)].append(c)
    groups = [_Group(key, members) for key, members in by_key.items()]
    return _Resolution(body, groups, _UnionFind(len(groups)))


def _join_same_identity(state: _Resolution) -> None:
    """Rule 2: groups with the same identity key under their own majority label join."""
    by_identity: dict[tuple[str, str], int] = {}
    for i, g in enumerate(state.groups):
        kind = kind_of(g.majority())
        ident = (kind, identity_key(kind, g.members[0].name))
        if ident in by_identity:
            state.uf.union(i, by_identity[ident], "alias" if kind != "person" else "spelling")
        else:
            by_identity[ident] = i


def _join_short_forms(state: _Resolution) -> None:
    """Rule 3: a bare surname or first name joins the one full PERSON name that has it."""
    body, groups, uf = state.body, state.groups, state.uf
    anchors = [i for i, g in enumerate(groups) if g.majority() == "PERSON" and len(g.tokens) >= 2]
    for i, g in enumerate(groups):
        if len(g.tokens) != 1 or "PERSON" not in g.labels or uf.find(i) != i:
            continue
        token = g.tokens[0]
        last = {uf.find(a) for a in anchors if groups[a].tokens[-1] == token}
        first = set()
        # A first name alone is only taken as one when spaCy always called it a person
        # and the text never writes it `Mr Howard` (then it is a surname).
        if set(g.labels) == {"PERSON"} and not _after_surname_honorific(body, g.members):
            first = {uf.find(a) for a in anchors if groups[a].tokens[0] == token}
        if last and _other_initials(body, g.members[0].name, [groups[a] for a in anchors]):
            continue
        candidates = (last | first) - {uf.find(i)}
        # A surname shared by several full names is ambiguous; so is a first name.
        persons = {
            identity_key("person", groups[a].members[0].name)
            + ("|mi" if _has_middle_initial(groups[a].tokens) else "")
            for a in candidates
        }
        if candidates and len(persons) == 1:
            target = min(candidates)
            uf.union(i, target, "surname" if last else "given-name-only")
            state.as_person.add(i)


def _person_clusters(state: _Resolution) -> list[tuple[int, list[CleanSpan]]]:
    """(root, mentions) of every cluster whose mentions vote PERSON."""
    out = []
    for root, idxs in state.clusters().items():
        members = state.voters(idxs)
        if _majority_label(members) == "PERSON":
            out.append((root, members))
    return out


def _is_surname_typo(full: list[str], other: list[str]) -> bool:
    """The folded name `full` misspells `other`'s surname by one edit, first names agreeing."""
    if not other or other[-1] == full[-1] or len(other[-1]) < 5:
        return False
    if len(full) >= 2 and len(other) >= 2:
        if canonical_given_name(full[0]) != canonical_given_name(other[0]):
            return False
    elif len(full) >= 2:
        return False
    a, b = full[-1], other[-1]
    # Insertions and deletions turn real surnames into others (`Horan`/`Horgan`,
    # `Malone`/`Maloney`): only allowed on longer names.
    return (
        OSA.distance(a, b) <= 1
        and fuzz.ratio(a, b) >= 85
        and (len(a) == len(b) or min(len(a), len(b)) >= 7)
    )


def _join_surname_typos(state: _Resolution) -> None:
    """Rule 4: a person whose surname is a typo of one more frequent person's joins it."""
    clusters = [
        (root, len(members), fold_tokens(_fullest(members).name))
        for root, members in _person_clusters(state)
    ]
    # A typo is one edit, so only surnames within one letter of length can match.
    by_surname_length: dict[int, list[tuple[int, int, list[str]]]] = {}
    for cluster in clusters:
        if cluster[2]:
            by_surname_length.setdefault(len(cluster[2][-1]), []).append(cluster)
    for root, size, full in clusters:
        if not full or len(full[-1]) < 5:
            continue
        length = len(full[-1])
        candidates = [
            other_root
            for nearby in (length - 1, length, length + 1)
            for other_root, other_size, other in by_surname_length.get(nearby, ())
            if other_root != root and other_size > size and _is_surname_typo(full, other)
        ]
        if len(candidates) == 1:
            state.uf.union(root, candidates[0], "typo")
            state.as_person.update(state.cluster_of(root))


def _acronym_keys(abbr: str, long_form: str) -> set[str]:
    """The surface keys of an acronym's forms: `INF`, `INF Treaty`, the long form, ..."""
    keys = {surface_key(abbr), surface_key(long_form)}
    short_long = split_head(long_form)[0]
    keys.add(surface_key(short_long))
    for head in HEAD_NOUNS:
        keys.add(surface_key(f"{abbr} {head}"))
        keys.add(surface_key(f"{short_long} {head}"))
    return keys


def _join_defined_acronyms(state: _Resolution) -> dict[int, str]:
    """Rule 5: the forms of an acronym the text defines join; root -> the long form."""
    groups, uf = state.groups, state.uf
    long_names: dict[int, str] = {}
    for abbr, long_form in find_acronyms(state.body).items():
        keys = _acronym_keys(abbr, long_form)
        hits = [
            i
            for i, g in enumerate(groups)
            if g.key in keys and _majority_label(state.voters(state.cluster_of(i))) != "PERSON"
        ]
        if not hits:
            continue
        # Prefer the group written as the long form as the entity's anchor.
        hits.sort(key=lambda i: (surface_key(abbr) == groups[i].key, -len(groups[i].tokens)))
        for i in hits[1:]:
            uf.union(i, hits[0], "acronym")
        long_names[uf.find(hits[0])] = long_form
    return long_names


def _entities_of(
    state: _Resolution, long_names: dict[int, str]
) -> tuple[list[Entity], dict[int, str]]:
    """The entities (by first_char) and each group's entity_id: label by majority, name
    the fullest form (or the long form the text defines, when fuller)."""
    by_id: dict[str, dict] = {}
    group_entity: dict[int, str] = {}
    for root, idxs in state.clusters().items():
        members = [m for j in idxs for m in state.groups[j].members]
        label = _majority_label(state.voters(idxs))
        kind = kind_of(label)
        if label != "PERSON":
            members_for_name = members
        else:
            members_for_name = [m for m in members if m.label == "PERSON"] or members
        name = _fullest(members_for_name).name
        long_form = long_names.get(root)
        if long_form and len(fold_tokens(long_form)) > len(fold_tokens(name)):
            name = long_form
        eid = entity_id(kind, identity_key(kind, name))
        if eid in by_id:  # two clusters that still fold to one identity: one entity
            by_id[eid]["members"].extend(members)
        else:
            by_id[eid] = {"name": name, "label": label, "members": members}
        for j in idxs:
            group_entity[j] = eid
    entities = []
    for eid, e in by_id.items():
        entities.append(
            Entity(
                entity_id=eid,
                name=e["name"],
                label=e["label"],
                mention_count=len(e["members"]),
                first_char=min(m.start for m in e["members"]),
            )
        )
    entities.sort(key=lambda e: (e.first_char, e.entity_id))
    return entities, group_entity


def _mentions_of(
    state: _Resolution,
    cleaned: Sequence[CleanSpan],
    entities: Sequence[Entity],
    group_entity: dict[int, str],
) -> list[Mention]:
    """One mention per cleaned span, in body order, labelled as its entity is."""
    entity_of: dict[tuple[int, int], str] = {}
    for j, g in enumerate(state.groups):
        for m in g.members:
            entity_of[(m.start, m.end)] = group_entity[j]
    label_of = {e.entity_id: e.label for e in entities}
    mentions = []
    for c in cleaned:
        eid = entity_of.get((c.start, c.end)) if c.countable and not c.fragment else None
        mentions.append(
            Mention(
                entity_id=eid,
                text=state.body[c.start : c.end],
                label=label_of[eid] if eid else c.raw_label,
                start_char=c.start,
                end_char=c.end,
                sentence=c.sentence,
            )
        )
    return mentions


def _joins_of(
    state: _Resolution, entities: Sequence[Entity], group_entity: dict[int, str]
) -> list[Join]:
    """Every group that went into an entity of another surface form, with the rule."""
    joins = []
    name_of = {e.entity_id: e for e in entities}
    for j, g in enumerate(state.groups):
        e = name_of[group_entity[j]]
        if surface_key(g.members[0].name) != surface_key(e.name):
            rule = state.uf.rule.get(j, "acronym-definition")
            joins.append(Join(g.members[0].name, e.name, e.entity_id, e.label, rule))
    return joins


def _resolve(body: str, spans: Sequence[RawSpan]):
    cleaned = clean_spans(body, spans)
    state = _group_mentions(body, cleaned)
    _join_same_identity(state)
    _join_short_forms(state)
    _join_surname_typos(state)
    long_names = _join_defined_acronyms(state)
    entities, group_entity = _entities_of(state, long_names)
    mentions = _mentions_of(state, cleaned, entities, group_entity)
    return mentions, entities, _joins_of(state, entities, group_entity)


def resolve_entities(body: str, spans: Sequence[RawSpan]) -> tuple[list[Mention], list[Entity]]:
    """Cleaned mentions (body order) and canonical entities (by first_char) of one article.

    `resolve_entities('Sergei Shoigu met ... Shoigu said', spans)` -> two mentions of one
    PERSON entity `Sergei Shoigu`.
    """
    mentions, entities, _ = _resolve(body, spans)
    return mentions, entities


def resolve_entities_traced(
    body: str, spans: Sequence[RawSpan]
) -> tuple[list[Mention], list[Entity], list[Join]]:
    """`resolve_entities` plus the joins it made (surface form -> entity, rule): for benches."""
    return _resolve(body, spans)
