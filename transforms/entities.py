"""Entity cleanup, in-article resolution and cross-article identity: pure functions.

Input is what spaCy found in one article body (`RawSpan`s: offsets, label,
sentence index); output is one `Mention` per kept span and one `Entity` per
canonical entity of the article. No Beam, no I/O, no model: the same spans
always give the same rows, on any worker, in any run.

Example: in `US National Security Advisor John Bolton's visit ... Bolton said`
spaCy tags `US National Security` (ORG), `John Bolton's` (PERSON) and `Bolton`
(PERSON). Out come a title-fragment mention `US National Security` with no
entity, a mention `John Bolton` (possessive stripped, offsets moved), a
mention `Bolton`, and one PERSON entity `John Bolton` with two mentions.

Labels
- Countable labels (`COUNTABLE_LABELS`) make entities. DATE, TIME, PERCENT,
  MONEY, QUANTITY, ORDINAL and CARDINAL mentions are kept (whitespace
  trimmed) with `entity_id` None and no entity.
- The id's *kind* groups labels that spaCy confuses for the same thing:
  `person` (PERSON), `place` (GPE, LOC, FAC: `Syria` tagged GPE here and LOC
  there is one place), `name` (ORG, PRODUCT, WORK_OF_ART, LAW, EVENT: the INF
  treaty comes out ORG in one article and WORK_OF_ART in another), `group`
  (NORP), `language` (LANGUAGE).

Mention cleanup (offsets always move to the cleaned text, so
`Mention.text == body[start_char:end_char]`; a span with nothing left is dropped)
- Whitespace and stray quotes/punctuation at both ends; a trailing `.` is kept
  on abbreviations (`U.S.`, `Corp.`, `Jr.`).
- A leading `the` (`the Russian Defense Ministry` -> `Russian Defense
  Ministry`); a trailing possessive (`John Bolton's`, `John Bolton’s`,
  `Reuters'`).
- A span crossing a paragraph break keeps its longest paragraph; single line
  breaks (hard-wrapped wire copy) are ordinary spaces. A span is cut before a
  spaced dash or ` v ` (`Ian Gough - out`, `Lesotho v Malawi`).
- PERSON spans lose leading honorifics, job titles and descriptors (`Mr`,
  `Sir`, `Gen`, `President`, `Defense Minister`, `Briton`, `striker`:
  `President Vladimir Putin` -> `Vladimir Putin`), trailing lower-case or
  numeric words and adjective suffixes (`Mary be`, `Bush-style`), and anything
  after a list comma (`James, Robinson`); a bare surname takes in a team-sheet
  initial before it (`, R Williams`).
- Brackets: a span ending in an unclosed `(ABBR` that the body closes is
  extended through the `)` and a following head noun (Treaty, Agreement, Act,
  ...): `the Intermediate-Range Nuclear Forces (INF` + `) Treaty` becomes the
  mention `Intermediate-Range Nuclear Forces (INF) Treaty`, name
  `Intermediate-Range Nuclear Forces Treaty`. A span followed by `(ABBR)` +
  head noun is extended the same way. A span starting inside brackets
  (`Intermediate-Range Nuclear Forces] Treaty`) is extended back to the
  opening bracket, and to an acronym just before it (`INF [...] Treaty`).
  Other unbalanced brackets are cut off. Extensions never overlap another span.
- Names (`Entity.name`) drop parenthesised acronyms and brackets, collapse
  whitespace, and capitalise a head noun after an acronym (`(INF) treaty`).
- News agencies that spaCy tags PERSON (`Sputnik`, `Reuters`, `TASS`, ...) are
  relabelled ORG.

Title fragments (mention kept with `entity_id` None and spaCy's label; no entity)
- A non-PERSON span ending in job-title words (Advisor, Spokesman, Minister,
  Secretary, Aide, President, Chairman, ...) has them trimmed; what remains is
  a fragment when it is empty, or when it ends in a title modifier (National
  Security, Defense, Foreign, Presidential, Prime, ...) and contains no
  organisation head noun (Council, Ministry, Department, ...). A span ending in
  a title modifier right before a title word is a fragment too. So `US
  National Security` (before `Advisor`), `Russian Presidential Spokesman` and
  `Defense` (before `Minister`) are fragments, while `Russian Security
  Council` (before `Secretary`), `Kremlin` (before `Spokesman`) and `the
  Treasury` (no title after it) stay ORGs.
- A department word after `<title> of` (`Secretary of State`) is a fragment.
- A PERSON span made only of titles and honorifics (`Prime Minister`) is one.

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

Identity (`entity_id`): the first 16 hex digits of blake2b(`kind:key`). The key
folds the name to ASCII (anyascii), lower case, drops `.` and apostrophes and
every non-alphanumeric character including spaces (`Kim Jong-un` = `Kim Jong
Un`) and then:
- person: the first token of a multi-token name is a given name and is mapped
  to one spelling: a table of Russian given names (Sergei/Sergey/Serguei,
  Yuri/Yury/Iouri, Dmitry/Dmitri/Dmitriy, ...), and suffix rules (`-ey` ->
  `-ei`, `-iy`/`-ii` -> `-i` always; `-y` -> `-i`, `-ay` -> `-ai` only when the
  result is in the table, so `Terry` and `Terri` stay apart). Surnames are
  never rewritten.
- place: a small alias table (US/U.S./USA/United States/America, UK/Britain/
  Great Britain/United Kingdom, Russia/Russian Federation, ...).
- name: a small acronym table (INF/INF Treaty/Intermediate-Range Nuclear
  Forces Treaty, START/Strategic Arms Reduction Treaty, NATO, UN, EU, ...).
Same canonical name => same id, in any article. Names that must stay apart
do: `Kim Jong-un` / `Kim Jong-il`; `George Bush` / `George W. Bush` (a middle
initial distinguishes father and son, so forms with and without one are
never joined); `Bill Clinton` / `Hillary Clinton`.

Limits: no global state means an article that only says `Shoigu` gives the
id of `Shoigu`, not of `Sergei Shoigu`; an acronym nobody defines and that is
not in the table keeps its own id; the alias and given-name tables are small
and English-centric; the kind is part of the id, so one name tagged ORG in one
article and GPE in another (a football club) gets two ids; spaCy's errors this
module cannot see stay (a person tagged ORG throughout an article; a film
`Ray` tagged PERSON joins `Ray Charles`; a club tagged PERSON, `Manchester
United`, takes in a bare `Manchester` tagged PERSON).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA


@dataclass(frozen=True)
class RawSpan:
    """One spaCy entity: `ent.start_char`, `ent.end_char`, `ent.label_`, sentence index."""

    start_char: int
    end_char: int
    label: str
    sentence: int


@dataclass(frozen=True)
class Mention:
    """A cleaned mention; `text == body[start_char:end_char]`; entity_id None if not countable."""

    entity_id: str | None
    text: str
    label: str
    start_char: int
    end_char: int
    sentence: int


@dataclass(frozen=True)
class Entity:
    """One canonical entity of one article."""

    entity_id: str
    name: str
    label: str
    mention_count: int
    first_char: int


@dataclass(frozen=True)
class Join:
    """A mention group that resolution put into an entity of another surface form."""

    surface: str
    name: str
    entity_id: str
    label: str
    rule: str


NON_COUNTABLE_LABELS = frozenset(
    {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
)
COUNTABLE_LABELS = frozenset(
    {
        "PERSON",
        "ORG",
        "GPE",
        "LOC",
        "NORP",
        "FAC",
        "EVENT",
        "PRODUCT",
        "WORK_OF_ART",
        "LAW",
        "LANGUAGE",
    }
)
KIND_OF_LABEL = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "name",
    "PRODUCT": "name",
    "WORK_OF_ART": "name",
    "LAW": "name",
    "EVENT": "name",
    "NORP": "group",
    "LANGUAGE": "language",
}
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

# --- word lists (folded: lower case ASCII letters only) ---------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_WORDS = _words(
    """
    advisor advisors adviser advisers spokesman spokesmen spokeswoman spokesperson
    minister ministers secretary secretaries secretarygeneral aide aides president
    vicepresident chairman chairwoman chairperson director ambassador envoy governor
    senator premier chancellor commissioner commander general deputy official officials
    representative prosecutor mayor lawmaker congressman congresswoman negotiator ceo
    leader chief
    """
)
TITLE_MODIFIERS = _words(
    """
    national security defense defence foreign presidential prime vice deputy assistant
    acting interim chief senior principal press finance financial interior home economy
    economic trade energy health justice education culture agriculture environment
    transport transportation labour labor attorney executive affairs intelligence
    military cabinet first state treasury communications information industry emergency
    emergencies sport sports development commerce housing immigration welfare pensions
    science technology homeland
    """
)
HONORIFICS = _words(
    """
    mr mrs ms miss mx dr prof professor rev reverend sir dame lord mme mlle gen col lt capt
    cpt sgt maj adm gov sen rep pres supt insp cllr det brig cmdr cdr archbishop bishop
    cardinal
    """
)
# Words that open a PERSON span but are no part of the name: `Briton Tim Henman`.
PERSON_DESCRIPTORS = _words(
    """
    briton britons scotsman welshman welshwoman irishman englishman englishwoman frenchman
    frenchwoman dutchman spaniard american australian canadian german russian swede
    norwegian italian brazilian argentine argentinian belgian swiss croat serb czech
    kenyan ethiopian jamaican nigerian ghanaian chinese japanese korean indian pakistani
    israeli palestinian iraqi iranian ukrainian georgian beatle rapper singer actor
    finn dane romanian bulgarian hungarian pole austrian portuguese mexican chilean
    colombian peruvian zimbabwean egyptian turk greek cuban slovak slovenian dutch
    unseeded seeded outspoken fullback flanker lock prop hooker scrumhalf flyhalf
    quarterback pitcher actress star veteran striker midfielder defender goalkeeper keeper
    winger captain
    skipper coach manager boss presenter dj producer writer author playwright poet
    comedian tycoon billionaire musician broadcaster journalist photographer designer
    artist novelist entrepreneur businessman businesswoman lawyer model dancer guitarist
    drummer bassist frontman vocalist chef host filmmaker composer conductor pianist
    sculptor painter architect economist analyst scientist historian critic editor
    columnist commentator pundit champion athlete sprinter jockey trainer boxer golfer
    cyclist swimmer batsman bowler referee umpire
    """
)
ORG_HEADS = _words(
    """
    council ministry department committee commission party agency office service
    services bank fund union court parliament assembly congress senate house
    administration government army navy police force forces corporation corp company co
    group association organization organisation institute university college school
    board authority bureau league club federation foundation network inc ltd plc centre
    center watch
    """
)
DEPARTMENTS = _words(
    """
    state defense defence treasury energy commerce labor labour agriculture interior
    health education transportation transport justice homeland security foreign affairs
    home war finance economy culture trade environment and the
    """
)
FUNCTION_WORDS = _words("of the and for to in on at a an")
# Head nouns that follow an acronym definition: `Intermediate-Range Nuclear Forces (INF) Treaty`.
HEAD_NOUNS = _words(
    """
    treaty treaties agreement accord accords pact act convention protocol
    """
)
# Folded id keys of news agencies that spaCy tags PERSON (`told Sputnik that ...`).
NEWS_AGENCIES = _words(
    """
    reuters ap associatedpress afp agencefrancepresse tass itartass sputnik rianovosti
    ria interfax xinhua bloomberg dpa efe ansa kyodo yonhap anadolu irna upi
    pressassociation bbc cnn aljazeera
    """
)

# Russian given names: every variant spelling -> the one used in the key.
_GIVEN_NAME_VARIANTS = {
    "sergei": "sergey serguei sergej sergii sergiy",
    "yuri": "yury yuriy yurii iouri iuri youri jurij",
    "dmitri": "dmitry dmitriy dmitrii dmitrij",
    "nikolai": "nikolay nikolaj",
    "alexei": "alexey aleksei aleksey alexej aleksej alexii",
    "andrei": "andrey andrej",
    "mikhail": "michail mihail mikhael",
    "yevgeni": "yevgeny yevgeniy yevgenii evgeny evgeni evgeniy evgenii jevgenij",
    "vladimir": "wladimir",
    "arkadi": "arkady arkadiy arkadii",
    "anatoli": "anatoly anatoliy anatolii",
    "vitali": "vitaly vitaliy vitalii",
    "vasili": "vasily vasiliy vasilii vassily wassily",
    "grigori": "grigory grigoriy grigorii",
    "valeri": "valery valeriy valerii",
    "gennadi": "gennady gennadiy gennadii",
    "georgi": "georgy georgiy georgii",
    "aleksandr": "alexander alexandr aleksander",
    "maksim": "maxim",
    "pyotr": "petr",
    "fyodor": "fedor feodor",
    "yegor": "egor",
    "ilya": "ilia ilja",
    "matvei": "matvey",
    "timofei": "timofey",
    "vyacheslav": "viacheslav",
    "yelena": "elena",
    "tatiana": "tatyana tatjana",
    "natalia": "natalya nataliya",
    "yulia": "yuliya iulia",
}
GIVEN_NAMES = {
    variant: canon
    for canon, variants in _GIVEN_NAME_VARIANTS.items()
    for variant in [canon, *variants.split()]
}
# Always applied to a given name: no English name is changed into another one by these.
_GIVEN_SUFFIX_ALWAYS = [("iy", "i"), ("ii", "i"), ("ey", "ei"), ("ej", "ei"), ("ij", "i")]
# Applied only when the result is a known given name (`Terry` must not become `Terri`).
_GIVEN_SUFFIX_IF_KNOWN = [("y", "i"), ("ay", "ai"), ("aj", "ai")]

_PLACE_ALIASES = {
    "unitedstates": "us usa unitedstatesofamerica america",
    "unitedkingdom": "uk britain greatbritain gb unitedkingdomofgreatbritainandnorthernireland",
    "russia": "russianfederation",
    "northkorea": "dprk democraticpeoplesrepublicofkorea",
    "southkorea": "republicofkorea",
    "china": "prc peoplesrepublicofchina",
    "unitedarabemirates": "uae",
    "czechrepublic": "czechia",
    "ivorycoast": "cotedivoire",
}
_NAME_ALIASES = {
    "intermediaterangenuclearforcestreaty": (
        "inf inftreaty intermediaterangenuclearforces infnucleartreaty"
    ),
    "strategicarmsreductiontreaty": "start starttreaty",
    "northatlantictreatyorganization": "nato northatlantictreatyorganisation",
    "unitednations": "un",
    "europeanunion": "eu",
    "internationalmonetaryfund": "imf",
    "internationalatomicenergyagency": "iaea",
    "worldhealthorganization": "who worldhealthorganisation",
    "federalbureauofinvestigation": "fbi",
    "centralintelligenceagency": "cia",
}


def _alias_table(table: dict[str, str]) -> dict[str, str]:
    return {
        variant: canon
        for canon, variants in table.items()
        for variant in [canon, *variants.split()]
    }


PLACE_ALIASES = _alias_table(_PLACE_ALIASES)
NAME_ALIASES = _alias_table(_NAME_ALIASES)

_ABBR = r"[A-Z][A-Za-z0-9&\-]{0,10}[A-Z0-9]"
_ABBR_RE = re.compile(rf"^{_ABBR}$")
_HEADS_RE = "|".join(sorted(HEAD_NOUNS, key=len, reverse=True))
_KEEP_DOT = _words("inc jr sr corp ltd co bros st mt ft")
_STRIP_CHARS = "\"'“”‘’«»,;:!?*•·/\\|-–—_~#"
_OPEN = {"(": ")", "[": "]"}
_CLOSE = {")": "(", "]": "["}


# --- folding and identity ---------------------------------------------------------------


def fold_tokens(text: str) -> list[str]:
    """Whitespace tokens as folded alphanumerics: `Jong-un` -> `jongun`, `U.S.` -> `us`."""
    text = re.sub(r"[.'’‘`´]", "", anyascii(text))
    tokens = (re.sub(r"[^0-9a-z]", "", token) for token in text.casefold().split())
    return [token for token in tokens if token]


def surface_key(text: str) -> str:
    """The folded text, before any alias or transliteration: `the U.S.` and `US` differ."""
    return " ".join(fold_tokens(text))


def canonical_given_name(token: str) -> str:
    """One spelling for a folded given name: `sergey` -> `sergei`, `dmitriy` -> `dmitri`."""
    if token in GIVEN_NAMES:
        return GIVEN_NAMES[token]
    for suffix, replacement in _GIVEN_SUFFIX_ALWAYS:
        if token.endswith(suffix) and len(token) > len(suffix) + 2:
            token = token[: -len(suffix)] + replacement
            break
    if token in GIVEN_NAMES:
        return GIVEN_NAMES[token]
    for suffix, replacement in _GIVEN_SUFFIX_IF_KNOWN:
        if token.endswith(suffix):
            candidate = token[: -len(suffix)] + replacement
            if candidate in GIVEN_NAMES:
                return GIVEN_NAMES[candidate]
    return token


def identity_key(kind: str, name: str) -> str:
    """The folded key the id is made from: ('person', 'Sergey Shoigu') -> 'sergeishoigu'."""
    tokens = fold_tokens(name)
    if kind == "person" and len(tokens) >= 2 and len(tokens[0]) > 1:
        tokens[0] = canonical_given_name(tokens[0])
    key = "".join(tokens)
    if kind == "place":
        return PLACE_ALIASES.get(key, key)
    if kind == "name":
        return NAME_ALIASES.get(key, key)
    return key


def entity_id(kind: str, key: str) -> str:
    """16 hex digits of blake2b(`kind:key`): stable across runs, workers and machines."""
    return hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).hexdigest()


def kind_of(label: str) -> str:
    return KIND_OF_LABEL.get(label, "name")


def id_for(label: str, name: str) -> str:
    """The entity_id a canonical name of this label gets: `id_for('GPE', 'U.S.')`."""
    kind = kind_of(label)
    return entity_id(kind, identity_key(kind, name))


# --- acronyms ---------------------------------------------------------------------------


def acronym_matches(abbr: str, long_form: str) -> bool:
    """Schwartz-Hearst: `INF` ~ `Intermediate-Range Nuclear Forces`, with the same first letter."""
    short = [c for c in abbr.casefold() if c.isalnum()]
    text = long_form.casefold()
    words = text.split()
    if len(short) < 2 or not words or words[0][0] != short[0]:
        return False
    if len(words) > len(short) + 4:
        return False
    li = len(text) - 1
    for si in range(len(short) - 1, -1, -1):
        while li >= 0 and (
            text[li] != short[si] or (si == 0 and li > 0 and text[li - 1].isalnum())
        ):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


def _split_head(text: str) -> tuple[str, str]:
    """(`INF`, `Treaty`) from `INF Treaty`; (`START`, ``) from `START`."""
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and parts[1].casefold() in HEAD_NOUNS:
        return parts[0], parts[1]
    return text, ""


_BODY_DEF_AFTER = re.compile(rf"[(\[]\s*({_ABBR})(?:\s+({_HEADS_RE}))?\s*[)\]]", re.IGNORECASE)
_BODY_DEF_BEFORE = re.compile(rf"\b({_ABBR})\s*\[([^\]\n]{{3,80}})\]")


def _is_name_phrase(words: list[str]) -> bool:
    """Capitalised words joined by function words: `Court of Arbitration for Sport`."""
    if not words or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return False
    for word in words:
        if re.search(r"[()\[\],;:\"“”]", word):
            return False
        if not (word[:1].isupper() or word[:1].isdigit() or word in FUNCTION_WORDS or word == "&"):
            return False
    return True


def _initials_score(abbr: str, words: list[str]) -> int:
    """How many letters of the acronym are, in order, initials of the words."""
    initials = [w[0].casefold() for part in words for w in part.split("-") if w]
    letters = [c.casefold() for c in abbr if c.isalnum()]
    score, i = 0, 0
    for letter in letters:
        while i < len(initials) and initials[i] != letter:
            i += 1
        if i < len(initials):
            score, i = score + 1, i + 1
    return score


def find_acronyms(body: str) -> dict[str, str]:
    """Acronyms the text defines -> their long form (first definition wins).

    `the Strategic Arms Reduction Treaty (START)` -> {'START': 'Strategic Arms Reduction Treaty'}
    """
    found: dict[str, str] = {}
    for match in _BODY_DEF_AFTER.finditer(body):
        abbr, head = match.group(1), match.group(2) or ""
        if not _ABBR_RE.match(abbr) or sum(c.isupper() for c in abbr) < 2:
            continue
        before = body[max(0, match.start() - 200) : match.start()].split("\n")[-1].rstrip()
        words = before.split()
        if head and words and words[-1].casefold() == head.casefold():
            words = words[:-1]
        if words:
            words[-1] = re.sub(r"(?:['’]s|(?<=s)['’])$", "", words[-1])
        # The candidate whose word initials spell most of the acronym, then the shortest:
        # `Equal Employment Opportunity Commission (EEOC)`, not `Employment ... Commission`.
        best = None
        for n in range(1, min(len(words), len(abbr) + 4) + 1):
            candidate = words[-n:]
            if _is_name_phrase(candidate) and acronym_matches(abbr, " ".join(candidate)):
                score = _initials_score(abbr, candidate)
                if best is None or score > best[0]:
                    best = (score, " ".join(candidate))
        if best:
            found.setdefault(abbr, best[1])
    for match in _BODY_DEF_BEFORE.finditer(body):
        abbr, long_form = match.group(1), match.group(2).strip()
        if (
            sum(c.isupper() for c in abbr) >= 2
            and _is_name_phrase(long_form.split())
            and acronym_matches(abbr, long_form)
        ):
            found.setdefault(abbr, long_form)
    return found


# --- cleanup ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanSpan:
    """A span after cleanup: offsets into the body, display name, and whether it is a title."""

    start: int
    end: int
    label: str
    raw_label: str
    sentence: int
    name: str
    fragment: bool

    @property
    def countable(self) -> bool:
        return self.label in COUNTABLE_LABELS


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    """Whitespace, stray punctuation, `the`, possessives off both ends, to a fixed point."""
    while start < end:
        before = (start, end)
        while start < end and (body[start].isspace() or body[start] in _STRIP_CHARS + "."):
            start += 1
        while end > start and (body[end - 1].isspace() or body[end - 1] in _STRIP_CHARS):
            end -= 1
        if end > start and body[end - 1] == ".":
            last = body[start:end].split()[-1]
            if not (re.fullmatch(r"(?:[A-Za-z]\.){2,}", last) or last[:-1].casefold() in _KEEP_DOT):
                end -= 1
        text = body[start:end]
        determiner = re.match(r"the\s+", text, re.IGNORECASE)
        if determiner and end - start > determiner.end():
            start += determiner.end()
        possessive = re.search(r"(?:['’][sS]|(?<=[sS])['’])$", body[start:end])
        if possessive and possessive.start() > 0:
            end = start + possessive.start()
        # A bracket pair wrapping the whole span: `(INF)` -> `INF`.
        if end - start > 2 and body[start] in _OPEN and body[end - 1] == _OPEN[body[start]]:
            start, end = start + 1, end - 1
        if (start, end) == before:
            break
    return start, end


def _unbalanced(text: str) -> tuple[int | None, int | None]:
    """Index of the first closer without opener, and of the last opener without closer."""
    stack: list[int] = []
    first_closer = None
    for i, c in enumerate(text):
        if c in _OPEN:
            stack.append(i)
        elif c in _CLOSE:
            if stack and text[stack[-1]] == _CLOSE[c]:
                stack.pop()
            elif first_closer is None:
                first_closer = i
    return first_closer, (stack[-1] if stack else None)


def _repair_brackets(body: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Extend or cut a span so its brackets balance; never past the neighbours `lo`/`hi`."""
    closer, opener = _unbalanced(body[start:end])
    if opener is not None:
        p = start + opener
        inner = body[p + 1 : end].strip()
        close = re.match(r"\s*[)\]]", body[end:])
        if close and _ABBR_RE.match(inner) and end + close.end() <= hi:
            new_end = end + close.end()
            head = re.match(rf"\s+(?:{_HEADS_RE})\b", body[new_end:], re.IGNORECASE)
            if head and new_end + head.end() <= hi:
                new_end += head.end()
            end = new_end
        else:
            end = p
    elif closer is not None:
        c = start + closer
        q = body.rfind(_CLOSE[body[c]], max(lo, start - 120), start)
        if q >= 0 and "\n" not in body[q:start] and _unbalanced(body[q : c + 1]) == (None, None):
            start = q
            abbr = re.search(rf"(?<![\w\-])({_ABBR})\s*$", body[max(lo, q - 15) : q])
            if abbr and acronym_matches(abbr.group(1), body[q + 1 : c]):
                start = max(lo, q - 15) + abbr.start()
        else:
            start = c + 1
    return start, end


def _extend_after_acronym(body: str, end: int, hi: int) -> int:
    """`Intermediate-Range Nuclear Forces` + ` (INF) treaty` -> extended through `treaty`."""
    match = re.match(
        rf"\s*[(\[]\s*({_ABBR})\s*[)\]]\s+(?:{_HEADS_RE})\b", body[end:], re.IGNORECASE
    )
    if match and end + match.end() <= hi:
        return end + match.end()
    return end


def render_name(text: str) -> str:
    """The display name of a cleaned mention: brackets resolved, whitespace collapsed.

    `Intermediate-Range Nuclear Forces (INF) treaty` -> `Intermediate-Range Nuclear Forces Treaty`;
    `INF [Intermediate-Range Nuclear Forces] Treaty` -> the same.
    """
    text = " ".join(text.split())
    m = re.fullmatch(rf"({_ABBR})\s*[(\[]([^)\]]+)[)\]]\s*(.*)", text)
    if m and acronym_matches(m.group(1), m.group(2)):
        return _join_rest(m.group(2).strip(), m.group(3))
    m = re.fullmatch(rf"(.+?)\s*[(\[]\s*({_ABBR})(?:\s+\w+)?\s*[)\]]\s*(.*)", text)
    if m and acronym_matches(m.group(2), _split_head(m.group(1))[0]):
        return _join_rest(m.group(1).strip(), m.group(3))
    text = re.sub(r"\s*\([^()]*\)", "", text)
    text = text.replace("[", "").replace("]", "")
    return " ".join(text.split())


def _join_rest(long_form: str, rest: str) -> str:
    rest = rest.strip()
    if rest.casefold() in HEAD_NOUNS and long_form[:1].isupper():
        rest = rest[:1].upper() + rest[1:]
    return f"{long_form} {rest}".strip()


def _folded(word: str) -> str:
    return re.sub(r"[^a-z]", "", anyascii(word).casefold())


def _next_is_title(body: str, end: int) -> bool:
    """The words right after `end` are job-title words: ` Minister`, ` Security Advisor`."""
    words = re.match(r"(?:[ \t]+[A-Za-z\-]+){1,3}", body[end:])
    if not words:
        return False
    folded = [_folded(w) for w in words.group(0).split()]
    for word in folded:
        if word in TITLE_WORDS:
            return True
        if word not in TITLE_MODIFIERS:
            return False
    return False


_PERSON_PREFIXES = HONORIFICS | TITLE_WORDS | TITLE_MODIFIERS | PERSON_DESCRIPTORS


def _strip_person_titles(body: str, start: int, end: int) -> int:
    """`President Vladimir Putin` -> start of `Vladimir Putin`; keeps at least one token."""
    while True:
        match = re.match(r"(\S+)\s+(?=\S)", body[start:end])
        if not match:
            return start
        word = _folded(match.group(1))
        if word in _PERSON_PREFIXES:
            start += match.end()
        else:
            return start


_SEPARATOR = re.compile(r"\s+[-–—]+\s+|\s+vs?\.?\s+")
_PERSON_COMMA = re.compile(r",\s+(?!(?:Jr|Sr|II|III|IV)\b)")
_INITIAL_BEFORE = re.compile(
    r"(?:(?:^|[,;(])[ \t]*([A-Z])\.?|(?:^|\n)[ \t]*([B-HJ-Z]|[A-Z]\.))[ \t]+$"
)


# `George Bush-style`, `Blair-led`: an adjective made from the name.
_ADJECTIVE_SUFFIX = re.compile(r"(?<=\w)-(?:style|era|led|backed|based|like|esque|owned)$")


def _cut_separators(body: str, start: int, end: int, label: str) -> int:
    """`Lesotho v Malawi`, `Ian Gough - out`, `James, Robinson`: the end of the first part."""
    text = body[start:end]
    cuts = [m.start() for m in _SEPARATOR.finditer(text)]
    if label == "PERSON":
        cuts += [m.start() for m in _PERSON_COMMA.finditer(text)]
    return start + min(cuts) if cuts else end


def _tidy_person(body: str, start: int, end: int, lo: int) -> tuple[int, int]:
    """Trailing lower-case or numeric words off a PERSON span (`Mary be`, `Varig 2bn`,
    `Bush-style`), and a team-sheet initial just before it on (`, R Williams`)."""
    while True:
        match = re.search(r"\s+(\S+)$", body[start:end])
        if not match:
            break
        word = match.group(1)
        if word[:1].islower() or any(c.isdigit() for c in word):
            end = start + match.start()
        else:
            break
    suffix = _ADJECTIVE_SUFFIX.search(body[start:end])
    if suffix:
        end = start + suffix.start()
    initial = _INITIAL_BEFORE.search(body[max(lo, start - 6) : start])
    if initial and " " not in body[start:end].strip():
        start = max(lo, start - 6) + initial.start(1 if initial.group(1) else 2)
    return start, end


def _title_fragment(body: str, start: int, end: int, label: str) -> tuple[int, bool]:
    """(new end, is a fragment) for a title-shaped span; see the module docstring."""
    tokens = body[start:end].split()
    folded = [_folded(t) for t in tokens]
    if label == "PERSON":
        vocabulary = TITLE_WORDS | TITLE_MODIFIERS | HONORIFICS
        return end, bool(folded) and all(f in vocabulary for f in folded)
    trimmed = False
    while tokens and folded[-1] in TITLE_WORDS:
        tokens, folded, trimmed = tokens[:-1], folded[:-1], True
    if trimmed:
        if not tokens or folded[-1] in FUNCTION_WORDS:
            return end, True
        end = start + body[start:end].rfind(tokens[-1]) + len(tokens[-1])
    modifier_end = folded[-1] in TITLE_MODIFIERS and not any(f in ORG_HEADS for f in folded)
    if modifier_end and (trimmed or _next_is_title(body, end)):
        return end, True
    if all(f in DEPARTMENTS for f in folded):
        title = re.search(r"([A-Za-z\-]+)\s+of\s+(?:the\s+)?$", body[max(0, start - 40) : start])
        if title and _folded(title.group(1)) in TITLE_WORDS:
            return end, True
    return end, False


def _largest_paragraph(body: str, start: int, end: int) -> tuple[int, int]:
    text = body[start:end]
    if not re.search(r"\n\s*\n", text):
        return start, end
    pieces = [(m.start(), m.end()) for m in re.finditer(r"(?:(?!\n\s*\n).)+", text, re.S)]
    a, b = max(pieces, key=lambda piece: piece[1] - piece[0])
    return start + a, start + b


def clean_span(body: str, span: RawSpan, lo: int = 0, hi: int | None = None) -> CleanSpan | None:
    """A spaCy span cleaned; None when nothing is left. `lo`/`hi` bound any extension."""
    hi = len(body) if hi is None else hi
    start, end = max(0, span.start_char), min(len(body), span.end_char)
    label = span.label
    if label not in COUNTABLE_LABELS:
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        text = body[start:end]
        return CleanSpan(start, end, label, label, span.sentence, " ".join(text.split()), False)
    start, end = _largest_paragraph(body, start, end)
    end = _cut_separators(body, start, end, label)
    for _ in range(3):
        start, end = _trim(body, start, end)
        before = (start, end)
        start, end = _repair_brackets(body, start, end, lo, hi)
        if (start, end) == before:
            break
    start, end = _trim(body, start, end)
    if start >= end:
        return None
    end = _extend_after_acronym(body, end, hi)
    new_end, fragment = _title_fragment(body, start, end, label)
    if fragment:
        return CleanSpan(
            start, end, label, label, span.sentence, render_name(body[start:end]), True
        )
    end = new_end
    if label == "PERSON":
        start = _strip_person_titles(body, start, end)
        start, end = _tidy_person(body, start, end, lo)
    name = render_name(body[start:end])
    if not fold_tokens(name):
        return None
    if label == "PERSON" and "".join(fold_tokens(name)) in NEWS_AGENCIES:
        label = "ORG"
    return CleanSpan(start, end, label, span.label, span.sentence, name, False)


# Lower-case words that belong inside a name: `Ludwig van Beethoven`, `Osama bin Laden`.
NAME_PARTICLES = _words(
    "van von de der den da di du del della dos das le la al el bin ibn ben y ter ten zu"
)
# Inside a PERSON span, a number or another lower-case word glues names together, as in
# cricket scorecards and results: `Younis st Germon b Harris`, `Afridi 2 J. Vaughan`.
_GLUE_WORD = re.compile(r"\S+")


def split_glued_people(body: str, span: RawSpan) -> list[RawSpan]:
    """A PERSON span cut at its glue words into the names around them (glue dropped)."""
    if span.label != "PERSON":
        return [span]
    pieces, piece_start, piece_end, glued = [], None, None, False
    for word in _GLUE_WORD.finditer(body, span.start_char, span.end_char):
        text = word.group(0)
        glue = any(c.isdigit() for c in text) or (
            text[:1].islower() and text.rstrip(".").casefold() not in NAME_PARTICLES
        )
        if glue:
            glued = True
            if piece_start is not None:
                pieces.append((piece_start, piece_end))
            piece_start = None
            continue
        if piece_start is None:
            piece_start = word.start()
        piece_end = word.end()
    if piece_start is not None:
        pieces.append((piece_start, piece_end))
    if not glued:
        return [span]
    return [RawSpan(start, end, span.label, span.sentence) for start, end in pieces]


def clean_spans(body: str, spans: Sequence[RawSpan]) -> list[CleanSpan]:
    """Every span cleaned, in body order; extensions stop at the neighbouring spans."""
    spans = [piece for span in spans for piece in split_glued_people(body, span)]
    ordered = sorted(spans, key=lambda s: (s.start_char, s.end_char))
    cleaned = []
    for i, span in enumerate(ordered):
        lo = ordered[i - 1].end_char if i > 0 else 0
        hi = ordered[i + 1].start_char if i + 1 < len(ordered) else len(body)
        result = clean_span(body, span, lo, max(hi, span.end_char))
        if result is not None:
            cleaned.append(result)
    return cleaned


# --- resolution -------------------------------------------------------------------------


class _Groups:
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


def _other_initials(body: str, surname: str, anchors) -> bool:
    """The body names someone `X Surname` (an initial) whose initial no anchor has:
    a team sheet's `S Williams, ..., R Williams` makes a bare `Williams` ambiguous."""
    pattern = rf"(?<![\w.])([A-Z])\.?\s+{re.escape(surname)}\b"
    initials = {m.group(1).lower() for m in re.finditer(pattern, body)}
    token = surface_key(surname)
    anchor_initials = {g.tokens[0][0] for g in anchors if g.tokens[-1] == token}
    return bool(initials - anchor_initials)


def _has_middle_initial(tokens: list[str]) -> bool:
    return len(tokens) >= 3 and any(len(t) == 1 for t in tokens[1:-1])


def _resolve(body: str, spans: Sequence[RawSpan]):
    cleaned = clean_spans(body, spans)
    countable = [c for c in cleaned if c.countable and not c.fragment]
    by_key: dict[str, list[CleanSpan]] = defaultdict(list)
    for c in countable:
        by_key[surface_key(c.name)].append(c)
    groups = [_Group(key, members) for key, members in by_key.items()]
    uf = _Groups(len(groups))

    # 2. Same identity key under the group's own majority label.
    by_identity: dict[tuple[str, str], int] = {}
    for i, g in enumerate(groups):
        kind = kind_of(g.majority())
        ident = (kind, identity_key(kind, g.members[0].name))
        if ident in by_identity:
            uf.union(i, by_identity[ident], "alias" if kind != "person" else "spelling")
        else:
            by_identity[ident] = i

    # 3. Short forms of persons.
    anchors = [i for i, g in enumerate(groups) if g.majority() == "PERSON" and len(g.tokens) >= 2]
    # A short form joined to a person is that person, whatever spaCy called its mentions
    # (`Volcker` tagged ORG 14 times and PERSON once next to `Paul Volcker`).
    as_person: set[int] = set()

    def voters(idxs) -> list[CleanSpan]:
        return [
            replace(m, label="PERSON") if j in as_person else m
            for j in idxs
            for m in groups[j].members
        ]

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
            as_person.add(i)

    # 4. Typos in surnames.
    def person_clusters():
        roots = defaultdict(list)
        for j in range(len(groups)):
            roots[uf.find(j)].append(j)
        out = []
        for root, idxs in roots.items():
            members = voters(idxs)
            if _majority_label(members) == "PERSON":
                out.append((root, idxs, members))
        return out

    clusters = person_clusters()
    for root, _, members in clusters:
        full = fold_tokens(_fullest(members).name)
        if not full or len(full[-1]) < 5:
            continue
        candidates = []
        for other_root, _, other_members in clusters:
            if other_root == root or len(other_members) <= len(members):
                continue
            other = fold_tokens(_fullest(other_members).name)
            if not other or other[-1] == full[-1] or len(other[-1]) < 5:
                continue
            if len(full) >= 2 and len(other) >= 2:
                if canonical_given_name(full[0]) != canonical_given_name(other[0]):
                    continue
            elif len(full) >= 2:
                continue
            a, b = full[-1], other[-1]
            # Insertions and deletions turn real surnames into others (`Horan`/`Horgan`,
            # `Malone`/`Maloney`): only allowed on longer names.
            if (
                OSA.distance(a, b) <= 1
                and fuzz.ratio(a, b) >= 85
                and (len(a) == len(b) or min(len(a), len(b)) >= 7)
            ):
                candidates.append(other_root)
        if len(candidates) == 1:
            uf.union(root, candidates[0], "typo")
            as_person.update(j for j in range(len(groups)) if uf.find(j) == uf.find(root))

    def cluster_of(i: int) -> list[int]:
        return [j for j in range(len(groups)) if uf.find(j) == uf.find(i)]

    # 5. Acronyms the text defines.
    acronyms = find_acronyms(body)
    long_names: dict[int, str] = {}
    for abbr, long_form in acronyms.items():
        keys = {surface_key(abbr), surface_key(long_form)}
        short_long = _split_head(long_form)[0]
        keys.add(surface_key(short_long))
        for head in HEAD_NOUNS:
            keys.add(surface_key(f"{abbr} {head}"))
            keys.add(surface_key(f"{short_long} {head}"))
        hits = [
            i
            for i, g in enumerate(groups)
            if g.key in keys and _majority_label(voters(cluster_of(i))) != "PERSON"
        ]
        if not hits:
            continue
        # Prefer the group written as the long form as the entity's anchor.
        hits.sort(key=lambda i: (surface_key(abbr) == groups[i].key, -len(groups[i].tokens)))
        for i in hits[1:]:
            uf.union(i, hits[0], "acronym")
        long_names[uf.find(hits[0])] = long_form

    # 6. Entities.
    roots: dict[int, list[int]] = defaultdict(list)
    for j in range(len(groups)):
        roots[uf.find(j)].append(j)
    by_id: dict[str, dict] = {}
    group_entity: dict[int, str] = {}
    for root, idxs in roots.items():
        members = [m for j in idxs for m in groups[j].members]
        label = _majority_label(voters(idxs))
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
    entity_of: dict[tuple[int, int], str] = {}
    for j, g in enumerate(groups):
        for m in g.members:
            entity_of[(m.start, m.end)] = group_entity[j]

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
    label_of = {e.entity_id: e.label for e in entities}

    mentions = []
    for c in cleaned:
        eid = entity_of.get((c.start, c.end)) if c.countable and not c.fragment else None
        mentions.append(
            Mention(
                entity_id=eid,
                text=body[c.start : c.end],
                label=label_of[eid] if eid else c.raw_label,
                start_char=c.start,
                end_char=c.end,
                sentence=c.sentence,
            )
        )

    joins = []
    name_of = {e.entity_id: e for e in entities}
    for j, g in enumerate(groups):
        e = name_of[group_entity[j]]
        if surface_key(g.members[0].name) != surface_key(e.name):
            rule = uf.rule.get(j, "acronym-definition")
            joins.append(Join(g.members[0].name, e.name, e.entity_id, e.label, rule))
    return mentions, entities, joins


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
