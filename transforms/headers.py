"""Splitting a news article into its header (title, dateline, agencies, date, author) and body.

Pure functions, no Beam and no I/O. The one entry point is `parse_header`:

    >>> h = parse_header(
    ...     "RPT: REVIEW - Russia, US Agree To Revive Inter-Ministerial Ties\\n\\n"
    ...     "MOSCOW (Pakistan Point News / Sputnik - 24th August, 2018) Russian Security..."
    ... )
    >>> h.headline
    'Russia, US Agree To Revive Inter-Ministerial Ties'
    >>> h.dateline, h.place, h.country_code, h.agencies
    ('MOSCOW', 'Moscow', 'RU', ('Pakistan Point News', 'Sputnik'))
    >>> h.published_date, h.date_source
    (datetime.date(2018, 8, 24), 'header')
    >>> h.body
    'Russian Security...'

What is read, in order, from the start of the text:
1. a structured header: YAML front matter between `---` lines, or `Title:`/`Date:`/
   `Source:`/`Author:` lines ended by a blank line, or an inline `date 2018-10-23` marker;
2. a title line: one line of at most 300 characters, then a blank line;
3. a byline: `By Jane Doe` or `[Report by Jane Doe]` on its own line, or a line holding
   only a name right before a dateline (`Peter Blackburn`), then perhaps a copyright
   credit (`c.1999 N.Y. Times News Service`); or `By Jane Doe` on the dateline's line;
   a Reuters correction note in parentheses before it is skipped;
4. a dateline: a place (possibly with a region), an optional date, optional credits,
   then a separator (`-`, `--`, `—`, `_`, `:`, `.`), the end of its line when dated, or
   nothing before the story's capital after a credit. The place or the date may be
   missing when a credit or a full date opens the story:
   `MOSCOW, October 23. /TASS/.`, `SALVADOR, Feb 26 -`, `LONDON, Jan 5 (Reuters) -`,
   `PARIS (AP) _`, `Tokyo (CNN)Police`, `(CNN) --`, `LONDON 1996-08-30` (own line),
   `Pretoria March 9 SAPA --`, `October 14, 2004 -`, `AP - `, `SPACE.com - TORONTO --`.
Everything after that is the body, so entity extraction never sees the header.

A dateline needs a tail only datelines have, so an ordinary first sentence (or a title)
is never mistaken for one: an upper-case place takes a date, a credit, or a dash after a
place the gazetteer knows; a mixed-case place takes a credit after a city the gazetteer
knows, or `, Feb 26 -`; a credit alone must be bracketed or a known agency. A date
without a year takes it from the reference time (the file's mtime): the latest such date
at most a day after it.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass
from typing import NamedTuple

from transforms.places import knows_city, locate, resolve_region

DATE_SOURCES = ("header", "dateline+reference", "reference", "none")

MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class Header:
    title: str | None
    headline: str | None
    dateline: str | None
    place: str | None
    country_code: str | None
    timezone: str | None
    agencies: tuple[str, ...]
    published_date: datetime.date | None
    date_source: str
    author: str | None
    body_offset: int
    body: str


class PartialDate(NamedTuple):
    """A date as written: datelines usually leave out the year."""

    year: int | None
    month: int
    day: int


@dataclass(frozen=True)
class Dateline:
    written: str
    place: str | None
    region: str | None
    date: PartialDate | None
    agencies: tuple[str, ...]
    end: int


@dataclass(frozen=True)
class _Fields:
    """What a structured header block said, and where the text after it starts."""

    end: int
    title: str | None = None
    date: PartialDate | None = None
    agencies: tuple[str, ...] = ()
    author: str | None = None
    # After `date 2018-10-23 Syria is...` the body goes on on the marker's own line.
    title_may_follow: bool = True


# --- dates -------------------------------------------------------------------------------

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip


def _month_pattern(name: str) -> str:
    """`march` -> `mar(?:c(?:h)?)?`: any prefix of three letters or more (`Sept`, `Marc`)."""
    optional = ""
    for letter in reversed(name[3:]):
        optional = f"(?:{letter}{optional})?"
    return name[:3] + optional


_MONTH = (
    r"(?P<month>(?i:" + "|".join(_month_pattern(m) for m in _MONTH_NAMES) + r"))(?![A-Za-z])\.?"
)
_WEEKDAY = (
    r"(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)\.?,?[ \t]+)?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?P<year>(?:1[6-9]|20)\d\d)(?!\d)"

# ASCII only: case-insensitive Unicode matching would let `ſep` (long s) pass as `Sep`.
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)(?!\d)", re.ASCII)
_MONTH_FIRST_DATE = re.compile(
    _WEEKDAY + _MONTH + r"[ \t]*" + _DAY + r"(?:,?[ \t]+" + _YEAR + ")?", re.ASCII
)
_DAY_FIRST_DATE = re.compile(
    _WEEKDAY + _DAY + r"[ \t]+(?:of[ \t]+)?" + _MONTH + r"(?:,?[ \t]*" + _YEAR + ")?", re.ASCII
)
# The time and zone after an ISO date (`T14:05:00+03:00`): the date as written already
# is the date in that zone, so they are only skipped.
_ISO_TIME = re.compile(r"[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[ ]?[+-]\d\d:?\d\d)?", re.ASCII)


def match_date(text: str, pos: int = 0) -> tuple[PartialDate, int] | None:
    """The date written at `pos` and where it ends, or None.

    `Oct 23`, `Oct. 23`, `October 23, 2018`, `23 October`, `24th August, 2018`,
    `Monday, Oct 23`, `2018-10-23`, `Tue, 23 Oct 2018` (the RFC 822 form).
    """
    iso = _ISO_DATE.match(text, pos)
    if iso:
        time = _ISO_TIME.match(text, iso.end())
        date = PartialDate(int(iso["year"]), int(iso["month"]), int(iso["day"]))
        return date, time.end() if time else iso.end()
    for pattern in (_MONTH_FIRST_DATE, _DAY_FIRST_DATE):
        written = pattern.match(text, pos)
        if written:
            year = int(written["year"]) if written["year"] else None
            date = PartialDate(year, _month_number(written["month"]), int(written["day"]))
            return date, written.end()
    return None


def _month_number(written: str) -> int:
    prefix = written.lower()[:3]
    return next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(prefix))


def as_date(written: PartialDate) -> datetime.date | None:
    """The full date, or None when the year is missing or the day does not exist."""
    if written.year is None:
        return None
    try:
        return datetime.date(written.year, written.month, written.day)
    except ValueError:
        return None


def infer_year(month: int, day: int, reference: datetime.date) -> datetime.date | None:
    """The latest date with this month and day at most one day after `reference`.

    The day of grace covers stories filed just before midnight GMT from a time zone
    already in the next day (a Wellington story of Feb 27 filed on Feb 26).
    """
    try:
        latest = reference + datetime.timedelta(days=1)
    except OverflowError:
        latest = reference
    # Eight years back always reaches a Feb 29 (1896 to 1904 is the longest gap).
    for year in range(latest.year, latest.year - 9, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if candidate <= latest:
            return candidate
    return None


# --- agencies and wire slugs ---------------------------------------------------------------

_AGENCY_SPELLINGS = {
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "tass": "TASS",
    "itar-tass": "TASS",
    "sputnik": "Sputnik",
    "ria novosti": "RIA Novosti",
    "interfax": "Interfax",
    "upi": "UPI",
    "united press international": "UPI",
    "dpa": "dpa",
    "bloomberg": "Bloomberg",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "ansa": "ANSA",
    "efe": "EFE",
    "anadolu agency": "Anadolu Agency",
    "irna": "IRNA",
    "pti": "PTI",
    "app": "APP",
    "urdupoint": "UrduPoint",
    "cnn": "CNN",
    "cnnmoney": "CNNMoney",
    "cnn/money": "CNN/Money",
    "ukrinform-tass": "UKRINFORM-TASS",
    "reuter": "Reuters",
    "sapa": "SAPA",
    "cp": "CP",
    "canadian press": "CP",
    "the canadian press": "CP",
    "pa": "PA",
    "press association": "PA",
    "ians": "IANS",
    "bernama": "Bernama",
    "antara": "Antara",
    "xinhuanet": "Xinhua",
    "apa": "APA",
    "mena": "MENA",
    "wafa": "WAFA",
    "kuna": "KUNA",
    "petra": "Petra",
    "bna": "BNA",
    "pna": "PNA",
    "kcna": "KCNA",
}
_KNOWN_AGENCIES = frozenset(
    {*_AGENCY_SPELLINGS, *(name.lower() for name in _AGENCY_SPELLINGS.values())}
)
_AGENCY_SEPARATORS = re.compile(r"[ \t]*(?:/|;|,|\|)[ \t]*")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|co\.uk|[a-z]{2})", re.ASCII)
_AGENCY_NAME = re.compile(r"[^\W\d_][\w .&'’-]{0,48}")

_SLUG_WORDS = (
    "RPT|REPEAT|REFILE|RESENDING|UPDATE|UPDATED|CORRECTED|CORRECTION|WRAPUP|WRAP|EXCLUSIVE"
    "|FACTBOX|ANALYSIS|SNAP ANALYSIS|REVIEW|INSIGHT|PREVIEW|TIMELINE|CHRONOLOGY|Q\\+A|QA"
    "|SPECIAL REPORT|BREAKINGVIEWS|COLUMN|INTERVIEW|FEATURE|BRIEF|URGENT|FLASH|ALERT"
    "|BREAKING|EXPLAINER|NEWSMAKER|PROFILE|DIARY|SCENARIOS|KEY FACTS|GRAPHIC|EDITORIAL"
    "|OPINION|TEXT|BUZZ|DEALTALK|VIDEO"
)
# Upper-case slugs end at any dash or colon (`UPDATE 2-`, `RPT: REVIEW -`); written in
# title case (`Analysis: ...`) only a colon marks them, since `Review - ...` may be prose.
_WIRE_SLUGS = re.compile(
    r"(?:(?:(?:" + _SLUG_WORDS + r")(?:[ \t]*\d{1,2})?[ \t]*(?::|--|[-–—])"
    r"|(?i:" + _SLUG_WORDS + r")(?:[ \t]*\d{1,2})?[ \t]*:)[ \t]*)+"
)


_SLUG = re.compile(r"(?i:" + _SLUG_WORDS + r")")


def strip_wire_slugs(title: str) -> str:
    """`RPT: REVIEW - Russia, US Agree...` -> `Russia, US Agree...`."""
    slugs = _WIRE_SLUGS.match(title)
    headline = title[slugs.end() :].strip() if slugs else title
    return headline or title


def normalize_agency(name: str) -> str:
    """The usual spelling of a known agency (`REUTERS` -> `Reuters`), else as written."""
    written = " ".join(name.split())
    return _AGENCY_SPELLINGS.get(written.lower(), written)


def split_agencies(written: str) -> tuple[str, ...]:
    """`Pakistan Point News / Sputnik` -> ('Pakistan Point News', 'Sputnik')."""
    if written.strip().lower() in _AGENCY_SPELLINGS:
        return (normalize_agency(written),)  # `CNN/Money` is one name
    names = (part.strip() for part in _AGENCY_SEPARATORS.split(written))
    return tuple(normalize_agency(name) for name in names if name)


def _looks_like_agencies(written: str) -> bool:
    if written.strip().lower() in _KNOWN_AGENCIES:
        return True
    parts = [part.strip() for part in _AGENCY_SEPARATORS.split(written.strip())]
    return all(_looks_like_agency(part) for part in parts)


def _looks_like_agency(name: str) -> bool:
    """`Reuters`, `Pakistan Point News`, `dpa`, `newratings.com`."""
    if name.lower() in _KNOWN_AGENCIES or _DOMAIN.fullmatch(name):
        return True
    return bool(_AGENCY_NAME.fullmatch(name)) and name[0].isupper()


def _merge_agencies(*groups: tuple[str, ...]) -> tuple[str, ...]:
    merged: dict[str, str] = {}
    for name in (name for group in groups for name in group):
        merged.setdefault(name.lower(), name)
    return tuple(merged.values())


# --- datelines -----------------------------------------------------------------------------

_SPACE = r"[^\S\r\n]"
_WORD = r"[^\W\d_](?:[^\W\d_]|['’`&/-](?=[^\W\d_])|\.)*"
# Up to six words, on one line: `ELK GROVE VILLAGE`, `KING OF PRUSSIA`, `ST. PETERSBURG`.
_PLACE = re.compile(_WORD + r"(?:" + _SPACE + r"+" + _WORD + r"){0,5}")
# A region of one to three words, shortest first: `Va.` before `Va. Feb` in `Va. Feb 26`.
_REGIONS = [re.compile(_WORD + (r"(?:" + _SPACE + r"+" + _WORD + r")") * n) for n in range(3)]
# `OAKLAND , N.J.` has been seen on the wire as much as `MOSCOW. Oct 23 (Interfax)`.
_COMMA = re.compile(_SPACE + r"*(?P<mark>[,.])" + _SPACE + r"*")
# `Narch 2`: a mistyped month still makes a dateline, though not a date.
_MISTYPED_DATE = re.compile(r"[A-Za-z]{3,9}\.?[ \t]*[0-3]?\d(?!\d)", re.ASCII)
_REGION_END = re.compile(r"," + _SPACE + r"*|" + _SPACE + r"+")
_SLASH_AGENCY = re.compile(_SPACE + r"*\.?" + _SPACE + r"*/(?P<agency>[^/\n]{1,40})/")
_PAREN_AGENCY = re.compile(r",?" + _SPACE + r"*\((?P<inside>[^()\n]{1,120})\)")
# A known agency named without brackets, after a date or opening the story.
_AGENCY_WORDS = r"(?P<agency>[^\W\d_][\w.&'’-]*(?:" + _SPACE + r"[^\W\d_a-z][\w.&'’-]*){0,3})"
_BARE_AGENCY = re.compile(
    r",?" + _SPACE + r"+" + _AGENCY_WORDS + r"(?=" + _SPACE + r"*(?:--|[-–—_]))"
)
_LEADING_BARE_AGENCY = re.compile(_AGENCY_WORDS + r"(?=" + _SPACE + r"*(?:--|[-–—]))")
_PAREN_DATE_TAIL = re.compile(r"[-–—,]" + _SPACE + r"*")
# `--`, a dash, a colon, a dot, or the 1990s wire's spaced underscore (`PARIS (AP) _ The`).
_SEPARATOR = re.compile(_SPACE + r"*(?P<mark>--|[-–—:]|\.|_(?=\s))")
_DASHES = ("-", "--", "–", "—", "_")
# What may end a dateline instead of a separator: the end of its line (`LONDON 1996-08-30`)
# or, after a credit, the capital that starts the story (`Tokyo (CNN)Police said`).
LINE_END = "\n"
NO_SEPARATOR = ""  # the capital straight after the credit: `(CNN)Police`
SPACE_BEFORE_CAPITAL = " "  # `NEW YORK (CNNMoney) Fear`: after a known agency only
# The next line must hold the story: a title line is followed by a blank line instead.
_LINE_END = re.compile(_SPACE + r"*\r?\n(?=[^\S\n]*\S)")
_OPENING_QUOTES = "\"'“‘`"
_LEADING_SPACE = re.compile(r"\s*")

# A capitalized sentence opener followed by a date (`On Monday, March 2 -`) reads like
# a dateline unless the place is in upper case; these words never start a place.
_NOT_A_PLACE_WORD = frozenset([
    "on", "in", "at", "by", "for", "from", "since", "until", "as", "of", "and", "but",
    "the", "a", "an", "this", "that", "if", "when", "while", "yesterday", "today",
    "tomorrow", "last", "next", "early", "late", "mr", "mrs", "ms", "dr", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", *_MONTH_NAMES,
])  # fmt: skip


class _RegionAndDate(NamedTuple):
    """What may follow a dateline's place before any agency: `, Ohio, Feb 26`."""

    region: re.Match[str] | None
    date: PartialDate | None
    mistyped_date: bool
    end: int
    date_without_comma: bool = False  # `JERUSALEM Aug. 23, 2004`, `LONDON 1996-08-30`


class _Agency(NamedTuple):
    """`/TASS/`, `(Reuters)` or `(Pakistan Point News / Sputnik - 24th August, 2018)`."""

    names: tuple[str, ...]
    date: PartialDate | None
    found: bool
    end: int
    known: bool = False  # every name is a known agency's


_NO_AGENCY = _Agency((), None, False, 0)


def match_dateline(text: str, pos: int = 0) -> Dateline | None:
    """The dateline written at `pos`, or None when the text there is not one.

    A dateline is a place (possibly with a region), an optional date, optional agency
    credits, then a separator (`-`, `--`, `—`, `_`, `:`, `.`), the end of its line, or,
    after a credit, nothing before the story's capital. Either the place or the date
    may be missing when a credit or date opens the story: `(CNN)About to...`,
    `October 14, 2004 - Microsoft...`, `AP - A committee...`.

    `MOSCOW, October 23. /TASS/. Russian...` -> place `MOSCOW`, Oct 23, ('TASS',).
    """
    return _match_placed_dateline(text, pos) or _match_placeless_dateline(text, pos)


def _match_placed_dateline(text: str, pos: int) -> Dateline | None:
    place_match = _PLACE.match(text, pos)
    if place_match is None:
        return None
    # `ST.` keeps its dot inside a place, but `MOSCOW. Oct 23` ends the place before it.
    place, after_place = _split_place(text, pos, place_match.group().rstrip("."))
    agency = _match_agency(text, after_place.end, after_date=after_place.date is not None)
    mark, end = _match_separator(text, agency.end)
    if not _is_dateline(place, after_place, agency, mark):
        return None
    region = after_place.region
    return Dateline(
        written=text[pos : region.end()] if region else place,
        place=place,
        region=region.group() if region else None,
        date=after_place.date or agency.date,
        agencies=agency.names,
        end=end,
    )


def _match_placeless_dateline(text: str, pos: int) -> Dateline | None:
    """`(CNN) --`, `(The Hollywood Reporter)Melissa`, `AP - `, `October 14, 2004 - `."""
    dated = match_date(text, pos)
    if dated and dated[0].year is not None:
        agency = _match_agency(text, dated[1])
        mark, end = _match_separator(text, agency.end)
        if mark in (*_DASHES, ".") or (agency.found and mark is not None):
            written = text[pos : dated[1]]
            return Dateline(written, None, None, dated[0], agency.names, end)
        return None
    agency = _match_agency(text, pos, leading=True)
    if not agency.found:
        return None
    mark, end = _match_separator(text, agency.end)
    bracketed = text[pos] in "(/"
    # A bare credit needs a dash (`AP - A committee`); in brackets any separator, or
    # none before the story's capital: `(CNN)About to`, `(Reuters) - `.
    if mark is None or not bracketed and mark not in _DASHES:
        return None
    if mark == SPACE_BEFORE_CAPITAL and not agency.known:
        return None  # `(MARSHALL STEEL LTD) YEAR NET` is a title
    if any(_SLUG.fullmatch(name) for name in agency.names):
        return None  # `(CORRECTED) - BANPONCE...` is a wire slug, not a credit
    following = _match_placed_dateline(text, _skip_space(text, end))
    # A web publication credits itself by its domain: `washingtonpost.com - The`.
    domains = all(_DOMAIN.fullmatch(name) for name in agency.names)
    if not bracketed and not agency.known and not domains and not _well_attested(following):
        # `INDICATORS - Hungary - updated Aug 22.`, `PRESS DIGEST - MOZAMBIQUE - ...`
        return None
    if following is not None:  # `Canadian Press - OTTAWA (CP) -`, `SPACE.com - TORONTO --`
        return dataclasses.replace(
            following, agencies=_merge_agencies(agency.names, following.agencies)
        )
    return Dateline(text[pos : agency.end].strip(), None, None, agency.date, agency.names, end)


def _well_attested(dateline: Dateline | None) -> bool:
    """A dateline with more than a place and a dash: a region, a date or a credit."""
    return dateline is not None and bool(dateline.region or dateline.date or dateline.agencies)


def _match_separator(text: str, pos: int) -> tuple[str | None, int]:
    """(the separator's mark, where the story starts), or (None, pos) when there is none."""
    separator = _SEPARATOR.match(text, pos)
    if separator:
        return separator["mark"], separator.end()
    line_end = _LINE_END.match(text, pos)
    if line_end:
        return LINE_END, line_end.end()
    start = _skip_space(text, pos)
    opening = start
    while opening < len(text) and text[opening] in _OPENING_QUOTES:
        opening += 1
    if opening < len(text) and text[opening].isupper():
        return (NO_SEPARATOR if start == pos else SPACE_BEFORE_CAPITAL), start
    return None, pos


def _split_place(text: str, pos: int, place: str) -> tuple[str, _RegionAndDate]:
    """The place and what follows it, where a date may also follow without a comma:
    `JERUSALEM Aug. 23, 2004`, `LONDON 1996-08-30`, `Messina March 9 SAPA`."""
    after_place = _match_region_and_date(text, pos + len(place))
    if after_place.region or after_place.date or after_place.mistyped_date:
        return place, after_place
    # A date may start at any word of what matched as the place but its first.
    offsets = [word.start() for word in _INNER_WORD.finditer(place)]
    spaced = _SPACES.match(text, pos + len(place))
    if spaced:
        offsets.append(spaced.end() - pos)
    for offset in offsets:
        dated = match_date(text, pos + offset)
        if dated:
            return place[:offset].rstrip(), _RegionAndDate(None, dated[0], False, dated[1], True)
    return place, after_place


_INNER_WORD = re.compile(r"(?<=\s)\S")
_SPACES = re.compile(_SPACE + "+")


def _match_region_and_date(text: str, pos: int) -> _RegionAndDate:
    """`, Feb 26`, `, Ohio, Feb 26`, `, Va. Feb 26` or `, Ohio` after the place."""
    nothing = _RegionAndDate(None, None, False, pos)
    comma = _COMMA.match(text, pos)
    if comma is None:
        return nothing
    # A date straight after the comma wins, so `Monday, Oct 23` is never a region.
    dated = match_date(text, comma.end())
    if dated:
        return _RegionAndDate(None, dated[0], False, dated[1])
    mistyped = _MISTYPED_DATE.match(text, comma.end())
    if mistyped:
        return _RegionAndDate(None, None, True, mistyped.end())
    if comma["mark"] != ",":
        return nothing
    region = None
    for pattern in _REGIONS:
        candidate = pattern.match(text, comma.end())
        if candidate is None or not candidate.group()[0].isupper():
            break
        region = candidate
        after_region = _REGION_END.match(text, candidate.end())
        dated = match_date(text, after_region.end()) if after_region else None
        if dated:
            return _RegionAndDate(region, dated[0], False, dated[1])
    if region is None:
        return nothing
    # With no date the longest region stands: `British Columbia`, `West Germany`.
    return _RegionAndDate(region, None, False, region.end())


def _match_agency(text: str, pos: int, leading: bool = False, after_date: bool = False) -> _Agency:
    """The credit after a place or date (or opening the story, when `leading`):
    `/TASS/`, `(Reuters)`, `(Pakistan Point News / Sputnik - 24th August, 2018)`, or a
    known agency's bare name: `March 9 SAPA --`, `ROME, March 13, Reuter -`, `AP - `."""
    slashed = _SLASH_AGENCY.match(text, pos)
    if slashed and _looks_like_agencies(slashed["agency"]):
        return _credit(split_agencies(slashed["agency"]), None, slashed.end())
    parenthesized = _PAREN_AGENCY.match(text, pos)
    if parenthesized is not None:
        inside = parenthesized["inside"].strip()
        names, date = _split_agencies_and_date(inside)
        if date is not None:
            return _credit(names, date, parenthesized.end())
        if _looks_like_agencies(inside):
            return _credit(split_agencies(inside), None, parenthesized.end())
        return _NO_AGENCY._replace(end=pos)
    bare = (_LEADING_BARE_AGENCY if leading else _BARE_AGENCY).match(text, pos)
    if bare and _is_bare_credit(bare["agency"], leading, after_date):
        return _credit((normalize_agency(bare["agency"]),), None, bare.end())
    return _NO_AGENCY._replace(end=pos)


def _is_bare_credit(name: str, leading: bool, after_date: bool) -> bool:
    """A credit named without brackets: a known agency, an all-caps wire name after a
    date (`Kiev February 25 UKRINFORM-TASS --`), or opening the story before a dateline,
    a publication's name of a few capitalized words or a domain (`SPACE.com - TORONTO`)."""
    if name.lower() in _KNOWN_AGENCIES:
        return True
    if not leading:
        return after_date and bool(_WIRE_NAME.fullmatch(name))
    words = name.split()
    return bool(_DOMAIN.fullmatch(name)) or (
        len(words) <= 4 and all(word[0].isupper() for word in words) and _looks_like_agency(name)
    )


_WIRE_NAME = re.compile(r"[A-Z][A-Z-]{2,}[A-Z](?: [A-Z][A-Z-]+)?")


def _credit(names: tuple[str, ...], date: PartialDate | None, end: int) -> _Agency:
    known = bool(names) and all(name.lower() in _KNOWN_AGENCIES for name in names)
    return _Agency(names, date, True, end, known)


def _split_agencies_and_date(inside: str) -> tuple[tuple[str, ...], PartialDate | None]:
    """`Pakistan Point News / Sputnik - 24th August, 2018` -> the names and the date."""
    for tail in _PAREN_DATE_TAIL.finditer(inside):
        dated = match_date(inside, tail.end())
        if dated and not inside[dated[1] :].strip():
            names = inside[: tail.start()].strip()
            if not names or _looks_like_agencies(names):
                return split_agencies(names), dated[0]
    dated = match_date(inside)
    if dated and not inside[dated[1] :].strip():
        return (), dated[0]
    return (), None


def _is_dateline(
    place: str, after_place: _RegionAndDate, agency: _Agency, mark: str | None
) -> bool:
    """Whether what follows the place is a tail only datelines have."""
    if mark is None or mark == NO_SEPARATOR and not agency.found:
        return False  # the story starts with no separator only after a credit
    if mark == SPACE_BEFORE_CAPITAL and not (agency.known or agency.date):
        return False  # `DIAMOND SHAMROCK (DIA) CUTS CRUDE PRICES` is a title
    if mark == LINE_END and after_place.date is None and agency.date is None:
        return False  # a line of its own is a dateline when dated: `LONDON 1996-08-30`
    dashed = mark in _DASHES
    if not place.isupper():
        if place.islower():
            # Lower-case market reports: `peoria, april 7 -`, a known city only.
            return after_place.date is not None and dashed and knows_city(place)
        if not _could_be_place_name(place):
            return False
        if agency.found:
            # `Tokyo (CNN)Police`, `Beijing, March 25 (XINHUA) --`, `Messina March 9 SAPA --`
            region = after_place.region
            if agency.known and after_place.date is not None:
                return True  # `Nzhelele, Venda March 8 SAPA --`
            return knows_city(place) or bool(region and resolve_region(region.group()))
        # `Toronto, Feb 26 -` happens in old wire copy; only that full form is trusted:
        # `German chancellor to meet Yeltsin Sept 7 - Interfax.` is a title.
        return after_place.date is not None and dashed and not after_place.date_without_comma
    if agency.date is not None or after_place.date is not None:
        return True  # `MOSCOW (Pakistan Point News / Sputnik - 24th August, 2018) Russian`
    if after_place.mistyped_date:
        return dashed
    if agency.found:
        return True  # `WASHINGTON (AP) — The`, `NEW YORK (CNNMoney) Fear`
    if dashed:
        # A bare dash needs a place the gazetteer knows: `WASHINGTON — The`, never `NASA — `.
        region = after_place.region
        return bool(region and resolve_region(region.group())) or knows_city(place)
    return False


def _could_be_place_name(place: str) -> bool:
    words = (word.strip(".").lower() for word in place.split())
    return place[0].isupper() and not any(word in _NOT_A_PLACE_WORD for word in words)


# --- header blocks -------------------------------------------------------------------------

_TITLE_KEYS = frozenset({"title", "headline", "subject"})
_DATE_KEYS = frozenset({"date", "published", "pubdate", "published_at", "published_date"})
_SOURCE_KEYS = frozenset({"source", "agency", "agencies", "wire"})
_AUTHOR_KEYS = frozenset({"author", "authors", "by", "byline", "creator"})
_KNOWN_KEYS = _TITLE_KEYS | _DATE_KEYS | _SOURCE_KEYS | _AUTHOR_KEYS

_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(?P<block>(?:[^\n]*\n)*?)---[ \t\r]*(?:\n|\Z)")
# Values are taken greedily and stripped afterwards: a lazy value followed by optional
# white space backtracks quadratically on long lines.
_YAML_PAIR = re.compile(r"(?P<key>[A-Za-z][\w-]*)[ \t]*:(?:[ \t]+(?P<value>.*))?")
_YAML_ITEM = re.compile(r"[ \t]+-[ \t]+(?P<value>.*)")
_FIELD_LINE = re.compile(r"(?P<key>[A-Za-z][\w-]{0,30})[ \t]*:(?P<value>[^\n]*)\n")
_CONTINUATION_LINE = re.compile(r"[ \t]+(?P<value>\S[^\n]*)\n")
_BLANK_LINE = re.compile(r"[ \t\r]*(?:\n|\Z)")
_INLINE_DATE_MARKER = re.compile(r"(?i:date)(?:[ \t]*[:=][ \t]*|[ \t]+)")
_NAME_WORD = r"[^\W\d_a-z][\w.'’-]*"
_NAME_PARTICLE = r"(?:de|da|del|der|di|la|le|van|von|bin|al)"
_BYLINE = re.compile(
    r"By[ \t]+(?P<author>"
    + _NAME_WORD
    + r"(?:[ \t]+(?:"
    + _NAME_WORD
    + r"|and|&|"
    + _NAME_PARTICLE
    + r"))*)(?:,[ \t]*[^\W\d_a-z][^\n]{0,60}?)?[ \t\r]*\n"
)
# An editor's line in brackets before the dateline (FBIS): `[Report by E. Kemp]`,
# `[By reporters Ding Jianming (0002 1017 6900) and ...]`, `["Press Review" -- headline]`.
_BRACKETED_LINE = re.compile(
    r"\[(?:[^\]\n]*?\b(?i:by|bu)[ \t]+(?P<author>[^\]\n]{2,200}?)|[^\]\n]{1,200})\]"
    r"[ \t\r]*\n"
)
_TELEGRAPH_CODES = re.compile(r"[ \t]*\(\d{4}(?:[ \t]+\d{4})*\)")
_REPORTER_WORDS = re.compile(r"^(?i:(?:staff[ \t]+)?(?:reporters?|correspondents?|writers?))[ \t]+")
# Reuters' correction notes open the story: `(In Dec. 25 story, corrects name ...)`.
_EDITORS_NOTE = re.compile(
    r"\((?=\(?(?:In |This |Corrects|Updates|Adds|Refiles|Repeats))(?:[^()\n]|\([^()\n]*\)){1,600}\)"
    r"[ \t]*"
)
_AUTHOR_CONTINUATION = re.compile(
    r"(?i:and|&)[ \t]+(?P<author>" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,4})[ \t\r]*\n"
)
_EDS_LINE = re.compile(r"(?i:eds?|editors?)(?:'|’)?(?:[ \t]+NOTE)?[ \t]*:[^\n]{0,300}\n")
_NOTE_LINE = re.compile(r"(?:\((?:[^()\n]|\([^()\n]*\)){1,600}\)[ \t]*)+\r?\n")
_INLINE_BY = re.compile(r"By[ \t]+")
_INLINE_NAME_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_NAME_LINE = re.compile(
    r"(?P<author>"
    + _NAME_WORD
    + r"(?:[ \t]+(?:"
    + _NAME_PARTICLE
    + r"[ \t]+)?"
    + _NAME_WORD
    + r"){1,3})[ \t\r]*\n"
)
_COPYRIGHT_LINE = re.compile(
    r"(?:[cC]\.|©|\([cC]\))[ \t]*(?:1[89]|20)\d\d,?[ \t]+(?P<credit>[^\n]{2,60}?)[ \t\r]*\n"
)
_LINE = re.compile(r"[^\n]*\n")
_EMPTY_LINE = re.compile(r"[ \t\r\f\v]*\n")


def _match_header_block(text: str, pos: int) -> _Fields | None:
    return (
        _match_front_matter(text, pos)
        or _match_field_block(text, pos)
        or _match_inline_date(text, pos)
    )


def _match_front_matter(text: str, pos: int) -> _Fields | None:
    """YAML front matter, read as flat `key: value` pairs, `[a, b]` and `- item` lists."""
    front = _FRONT_MATTER.match(text, pos)
    if front is None:
        return None
    values: dict[str, list[str]] = {}
    key = None
    for line in front["block"].split("\n"):
        item = _YAML_ITEM.fullmatch(line)
        pair = _YAML_PAIR.fullmatch(line)
        if item and key is not None:
            values[key].append(_unquote(item["value"]))
        elif pair:
            key = _field_key(pair["key"])
            values[key] = _yaml_values((pair["value"] or "").strip())
    return _fields_from(values, front.end())


def _yaml_values(written: str) -> list[str]:
    if written.startswith("[") and written.endswith("]"):
        return [_unquote(value) for value in written[1:-1].split(",")]
    return [_unquote(written)]


def _match_field_block(text: str, pos: int) -> _Fields | None:
    """`Title: ...` / `Date: ...` lines ended by a blank line (RFC 822 style)."""
    values: dict[str, list[str]] = {}
    cursor = pos
    key = None
    while True:
        field = _FIELD_LINE.match(text, cursor)
        continuation = _CONTINUATION_LINE.match(text, cursor) if key else None
        if field:
            key = _field_key(field["key"])
            values.setdefault(key, []).append(field["value"].strip())
            cursor = field.end()
        elif continuation:
            values[key][-1] += " " + continuation["value"].strip()
            cursor = continuation.end()
        else:
            break
    if not _BLANK_LINE.match(text, cursor):
        return None
    return _fields_from(values, cursor)


def _match_inline_date(text: str, pos: int) -> _Fields | None:
    """A `date 2018-10-23` marker, the body going on on the same line."""
    marker = _INLINE_DATE_MARKER.match(text, pos)
    dated = match_date(text, marker.end()) if marker else None
    if dated is None or dated[0].year is None:
        return None
    date, end = dated
    if end < len(text) and not text[end].isspace():
        return None
    return _Fields(end=end, date=date, title_may_follow=False)


def _fields_from(values: dict[str, list[str]], end: int) -> _Fields | None:
    """The known keys of a header block, whatever synonym names them; None if none does."""
    values = {key: [v for v in found if v] for key, found in values.items()}
    if not _KNOWN_KEYS & values.keys():
        return None
    titles = _first_of(values, _TITLE_KEYS)
    dates = _first_of(values, _DATE_KEYS)
    authors = _first_of(values, _AUTHOR_KEYS)
    dated = match_date(dates[0]) if dates else None
    # A URL as the source names no agency, and splitting it on `/` would invent some.
    sources = [value for value in _first_of(values, _SOURCE_KEYS) if "://" not in value]
    return _Fields(
        end=end,
        title=titles[0] if titles else None,
        date=dated[0] if dated else None,
        agencies=_merge_agencies(*(split_agencies(source) for source in sources)),
        author=", ".join(authors) if authors else None,
    )


def _first_of(values: dict[str, list[str]], keys: frozenset[str]) -> list[str]:
    return next((found for key, found in values.items() if key in keys), [])


def _field_key(written: str) -> str:
    return written.lower().replace("-", "_")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _match_title(text: str, pos: int) -> tuple[str, int] | None:
    """One line of at most 300 characters, perhaps a deck line, a blank line, more text.

    Returns the title and where the text after the blank line starts. A first line
    that opens with a dateline or is a byline is the body's, not a title. A deck (the
    subtitle under a headline: `Home-improvement retailer's chief executive had been
    criticized over pay`) is header, not body, when the title ends without a stop.
    """
    line = _LINE.match(text, pos)
    blank = _EMPTY_LINE.match(text, line.end()) if line else None
    if blank is None and line and _could_be_deck(text, line):
        blank = _EMPTY_LINE.match(text, _LINE.match(text, line.end()).end())
    if blank is None:
        return None
    title = line.group().strip()
    if not title or len(title) > MAX_TITLE_CHARS or _skip_space(text, blank.end()) == len(text):
        return None
    if match_dateline(text, pos) is not None or _BYLINE.match(title + "\n"):
        return None
    return title, blank.end()


def _could_be_deck(text: str, title: re.Match[str]) -> bool:
    """Whether the line after `title` is a deck: both lines without a closing stop, the
    deck capitalized and short, neither a dateline nor a byline (a wrapped first
    paragraph, `...tackling` / `together, Defense Minister...`, is not)."""
    deck = _LINE.match(text, title.end())
    written = deck.group().strip() if deck else ""
    unstopped = not title.group().rstrip().endswith(_STOPS) and not written.endswith(_STOPS)
    return (
        unstopped
        and 0 < len(written) <= MAX_TITLE_CHARS
        and not written[0].islower()
        and match_dateline(text, deck.start()) is None
        and not _BYLINE.match(deck.group())
    )


_STOPS = (".", ",", ";", ":")


class _Byline(NamedTuple):
    author: str | None
    agencies: tuple[str, ...]
    end: int


def _match_byline(text: str, pos: int) -> _Byline | None:
    """The lines between the title and the dateline that name who wrote and who sent it.

    In any order, one per line: `By Jane Doe` (and a continuation `AND JOHN ROE`),
    `[Report by Jane Doe]`, a copyright credit (`c.1999 N.Y. Times News Service`),
    editors' notes (`(For use by New York Times News Service clients)`, `EDs: With ...`),
    and, right before a dateline, a line that is only a name (`Peter Blackburn`); or
    `By Jane Doe` on the dateline's own line. Notes and bare names count only when a
    dateline follows them; there must be text after it all.
    """
    authors: list[str] = []
    noted: list[str] = []  # names in notes and bare name lines: kept if a dateline follows
    agencies: tuple[str, ...] = ()
    cursor = settled = pos  # `settled`: the end of the lines that stand on their own
    while True:
        inline = _match_inline_byline(text, cursor)
        if inline:
            authors.append(inline.author)
            cursor = settled = inline.end
            break
        line = _BYLINE.match(text, cursor)
        if line is None and authors:
            line = _AUTHOR_CONTINUATION.match(text, cursor)
        if line:
            authors.append(line["author"])
            cursor = settled = _skip_space(text, line.end())
            continue
        credit = _COPYRIGHT_LINE.match(text, cursor)
        if credit:
            agencies += (normalize_agency(credit["credit"]),)
            cursor = settled = _skip_space(text, credit.end())
            continue
        note = (
            _BRACKETED_LINE.match(text, cursor)
            or _NOTE_LINE.match(text, cursor)
            or _EDITORS_NOTE.match(text, cursor)
            or _EDS_LINE.match(text, cursor)
        )
        if note is None and match_dateline(text, cursor) is None:
            note = _NAME_LINE.match(text, cursor)
        if note is None and not authors:
            # Distribution lines before a byline block that leads to a dateline: `Moving
            # in both (i) International and (w) Washington categories.` / `By MIKE ...`
            byline_at = _byline_below(text, cursor)
            if byline_at is not None:
                cursor = byline_at
                continue
        if note is None:
            break
        if note.groupdict().get("author"):
            noted.append(note["author"])
        cursor = _skip_space(text, note.end())
    dated = match_dateline(text, cursor) is not None
    end = cursor if dated else settled
    if end == pos or _skip_space(text, end) == len(text):
        return None
    names = (_clean_author(author) for author in authors + (noted if dated else []))
    named = [name for name in names if name]
    return _Byline(" and ".join(named) or None, agencies, end)


def _byline_below(text: str, pos: int, lines: int = 3) -> int | None:
    """Where a `By ...` line starts within the next `lines` short lines, when a
    dateline follows its block; else None."""
    cursor = pos
    for _ in range(lines):
        line = _LINE.match(text, cursor)
        if line is None or len(line.group()) > MAX_NOTE_LINE_CHARS:
            return None
        cursor = line.end()
        if _BYLINE.match(text, cursor):
            block = _match_byline(text, cursor)
            return cursor if block and match_dateline(text, _skip_space(text, block.end)) else None
    return None


MAX_NOTE_LINE_CHARS = 200


def _match_inline_byline(text: str, pos: int) -> _Byline | None:
    """`By Jonathan Spicer and Rob Cox NEW YORK (Reuters) - `: the byline ends where the
    dateline starts, on the same line."""
    byline = _INLINE_BY.match(text, pos)
    if byline is None:
        return None
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    words = list(_INLINE_NAME_WORD.finditer(text, byline.end(), line_end))
    for count in range(2, min(len(words), 9) + 1):
        between = text[words[count - 2].end() : words[count - 1].start()]
        if between.strip():
            return None  # `By JIM HEINTZ, Associated Press` is a byline line of its own
        spaces = _SPACES.match(text, words[count - 1].end())
        dateline = match_dateline(text, spaces.end()) if spaces else None
        # The place after a byline is upper case: `By Laila Kearney and Karen Pierog
        # NEW YORK/CHICAGO (Reuters) -` is never read as the place `Karen Pierog NEW YORK`.
        if dateline and (dateline.place is None or dateline.place.isupper()):
            return _Byline(" ".join(word.group() for word in words[:count]), (), spaces.end())
    return None


def _clean_author(written: str | None) -> str | None:
    """`reporter Shi Qingbin (2457 3237 1755)` -> `Shi Qingbin`."""
    if written is None:
        return None
    author = _TELEGRAPH_CODES.sub("", written)
    author = _REPORTER_WORDS.sub("", author).strip()
    return " ".join(author.split()) or None


# --- the whole header ----------------------------------------------------------------------


def parse_header(text: str, reference: datetime.datetime | None = None) -> Header:
    """Split `text` into its header fields and its body.

    `reference` (the file's modified time, UTC) supplies the year a dateline leaves
    out, and the date itself when the text has none.
    """
    start = _skip_space(text, 0)
    fields = _match_header_block(text, start) or _Fields(end=start)
    cursor = _skip_space(text, fields.end)
    title = fields.title
    if title is None and fields.title_may_follow:
        found_title = _match_title(text, cursor)
        if found_title:
            title, cursor = found_title[0], _skip_space(text, found_title[1])
    author = fields.author
    byline = _match_byline(text, cursor)
    credited: tuple[str, ...] = ()
    if byline:
        author, credited = author or byline.author, byline.agencies
        cursor = _skip_space(text, byline.end)
    dateline = match_dateline(text, cursor) or _match_title_credit(title, text, cursor)
    if dateline:
        cursor = _skip_space(text, dateline.end)
    # Leading white space alone is no header: a text without one is all body.
    body_offset = cursor if cursor > start else 0
    published_date, date_source = resolve_date(
        fields.date, dateline.date if dateline else None, reference
    )
    location = locate(dateline.place, dateline.region) if dateline and dateline.place else None
    return Header(
        title=title,
        headline=strip_wire_slugs(title) if title else None,
        dateline=dateline.written if dateline else None,
        place=location.name if location else None,
        country_code=location.country_code if location else None,
        timezone=location.timezone if location else None,
        agencies=_merge_agencies(fields.agencies, credited, dateline.agencies if dateline else ()),
        published_date=published_date,
        date_source=date_source,
        author=author,
        body_offset=body_offset,
        body=text[body_offset:],
    )


_TITLE_CREDIT = re.compile(r"\((?P<credit>[^()\n]{2,40})\)[ \t]*$")


def _match_title_credit(title: str | None, text: str, pos: int) -> Dateline | None:
    """A feed's story credited at the end of its title and again at its start, by a
    name the parser need not know: `Windows XP update ships (PC World)` then
    `PC World - Microsoft has...`. Both places must name it, followed by a dash."""
    credit = _TITLE_CREDIT.search(title) if title else None
    if credit is None or not text.startswith(credit["credit"], pos):
        return None
    mark, end = _match_separator(text, pos + len(credit["credit"]))
    if mark not in _DASHES:
        return None
    name = credit["credit"].strip()
    return Dateline(name, None, None, None, (normalize_agency(name),), end)


def _skip_space(text: str, pos: int) -> int:
    return _LEADING_SPACE.match(text, pos).end()


def resolve_date(
    header_date: PartialDate | None,
    dateline_date: PartialDate | None,
    reference: datetime.datetime | None,
) -> tuple[datetime.date | None, str]:
    """The published date and where it came from (one of DATE_SOURCES).

    A full date written in the text wins; then a month and day with the reference's
    year; then the reference's own date. Nothing is invented without a reference.
    """
    written = [date for date in (header_date, dateline_date) if date is not None]
    for date in written:
        full = as_date(date)
        if full is not None:
            return full, "header"
    if reference is None:
        return None, "none"
    reference_date = reference.date() if isinstance(reference, datetime.datetime) else reference
    for date in written:
        if date.year is None:
            inferred = infer_year(date.month, date.day, reference_date)
            if inferred is not None:
                return inferred, "dateline+reference"
    return reference_date, "reference"
