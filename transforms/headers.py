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
3. a byline: `By Jane Doe` alone on its line;
4. a dateline: `MOSCOW, October 23. /TASS/.`, `SALVADOR, Feb 26 -`,
   `LONDON, Jan 5 (Reuters) -`, `WASHINGTON (AP) —`, `CLEVELAND, Ohio, Feb 26 -`.
Everything after that is the body, so entity extraction never sees the header.

A dateline needs upper-case place words and a tail only datelines have (a date, an agency
in parentheses or slashes, or a dash after a place the gazetteer knows), so an ordinary
first sentence is never mistaken for one. A date without a year takes it from the
reference time (the file's mtime): the latest such date at most a day after it.
"""

from __future__ import annotations

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
    place: str
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
}
_AGENCY_SEPARATORS = re.compile(r"[ \t]*(?:/|;|,|\|)[ \t]*")
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
    names = (part.strip() for part in _AGENCY_SEPARATORS.split(written))
    return tuple(normalize_agency(name) for name in names if name)


def _looks_like_agencies(written: str) -> bool:
    parts = [part.strip() for part in _AGENCY_SEPARATORS.split(written.strip())]
    return all(_AGENCY_NAME.fullmatch(part) and part[0].isupper() for part in parts)


def _merge_agencies(*groups: tuple[str, ...]) -> tuple[str, ...]:
    merged: dict[str, str] = {}
    for name in (name for group in groups for name in group):
        merged.setdefault(name.lower(), name)
    return tuple(merged.values())


# --- datelines -----------------------------------------------------------------------------

_SPACE = r"[^\S\r\n]"
_WORD = r"[^\W\d_](?:[^\W\d_]|['’&/-](?=[^\W\d_])|\.)*"
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
_PAREN_DATE_TAIL = re.compile(r"[-–—,]" + _SPACE + r"*")
_SEPARATOR = re.compile(_SPACE + r"*(?P<mark>--|[-–—:.])")
_DASHES = ("-", "--", "–", "—")
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


class _Agency(NamedTuple):
    """`/TASS/`, `(Reuters)` or `(Pakistan Point News / Sputnik - 24th August, 2018)`."""

    names: tuple[str, ...]
    date: PartialDate | None
    found: bool
    end: int


def match_dateline(text: str, pos: int = 0) -> Dateline | None:
    """The dateline written at `pos`, or None when the text there is not one.

    `MOSCOW, October 23. /TASS/. Russian...` -> place `MOSCOW`, Oct 23, ('TASS',).
    """
    place_match = _PLACE.match(text, pos)
    if place_match is None:
        return None
    # `ST.` keeps its dot inside a place, but `MOSCOW. Oct 23` ends the place before it.
    place = place_match.group().rstrip(".")
    after_place = _match_region_and_date(text, pos + len(place))
    agency = _match_agency(text, after_place.end)
    separator = _SEPARATOR.match(text, agency.end)
    mark = separator["mark"] if separator else None
    if not _is_dateline(place, after_place, agency, mark):
        return None
    region = after_place.region
    return Dateline(
        written=text[pos : region.end()] if region else place,
        place=place,
        region=region.group() if region else None,
        date=after_place.date or agency.date,
        agencies=agency.names,
        end=separator.end() if separator else agency.end,
    )


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


def _match_agency(text: str, pos: int) -> _Agency:
    slashed = _SLASH_AGENCY.match(text, pos)
    if slashed and _looks_like_agencies(slashed["agency"]):
        return _Agency(split_agencies(slashed["agency"]), None, True, slashed.end())
    parenthesized = _PAREN_AGENCY.match(text, pos)
    if parenthesized is None:
        return _Agency((), None, False, pos)
    inside = parenthesized["inside"].strip()
    names, date = _split_agencies_and_date(inside)
    if date is None:
        if not _looks_like_agencies(inside):
            return _Agency((), None, False, pos)
        names = split_agencies(inside)
    return _Agency(names, date, True, parenthesized.end())


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
    dashed = mark in _DASHES
    if not place.isupper():
        # `Toronto, Feb 26 -` happens in old wire copy; only that full form is trusted.
        return after_place.date is not None and dashed and _could_be_place_name(place)
    if agency.date is not None:
        return True  # `MOSCOW (Pakistan Point News / Sputnik - 24th August, 2018) Russian`
    if after_place.date is not None:
        return mark is not None or agency.found  # `MOSCOW, October 23. /TASS/. Russian`
    if after_place.mistyped_date:
        return dashed
    if agency.found:
        return mark is not None  # `WASHINGTON (AP) — The`
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
_BYLINE = re.compile(
    r"By[ \t]+(?P<author>" + _NAME_WORD + r"(?:[ \t]+(?:" + _NAME_WORD + r"|and|&|de|da|del"
    r"|der|di|la|le|van|von|bin|al))*)(?:,[ \t]*[^\W\d_a-z][^\n]{0,60}?)?[ \t\r]*\n"
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
    """One line of at most 300 characters, a blank line, then more text.

    Returns the title and where the text after the blank line starts. A first line
    that opens with a dateline or is a byline is the body's, not a title.
    """
    line = _LINE.match(text, pos)
    blank = _EMPTY_LINE.match(text, line.end()) if line else None
    if blank is None:
        return None
    title = line.group().strip()
    if not title or len(title) > MAX_TITLE_CHARS or _skip_space(text, blank.end()) == len(text):
        return None
    if match_dateline(text, pos) is not None or _BYLINE.match(title + "\n"):
        return None
    return title, blank.end()


def _match_byline(text: str, pos: int) -> tuple[str, int] | None:
    """`By Jane Doe` alone on its line, with more text after it."""
    byline = _BYLINE.match(text, pos)
    if byline is None or _skip_space(text, byline.end()) == len(text):
        return None
    return byline["author"], byline.end()


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
    if byline:
        author, cursor = author or byline[0], _skip_space(text, byline[1])
    dateline = match_dateline(text, cursor)
    if dateline:
        cursor = _skip_space(text, dateline.end)
    # Leading white space alone is no header: a text without one is all body.
    body_offset = cursor if cursor > start else 0
    published_date, date_source = resolve_date(
        fields.date, dateline.date if dateline else None, reference
    )
    location = locate(dateline.place, dateline.region) if dateline else None
    return Header(
        title=title,
        headline=strip_wire_slugs(title) if title else None,
        dateline=dateline.written if dateline else None,
        place=location.name if location else None,
        country_code=location.country_code if location else None,
        timezone=location.timezone if location else None,
        agencies=_merge_agencies(fields.agencies, dateline.agencies if dateline else ()),
        published_date=published_date,
        date_source=date_source,
        author=author,
        body_offset=body_offset,
        body=text[body_offset:],
    )


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
