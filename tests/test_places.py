"""Toponym resolution: the gazetteer, the rules, and the stage on real articles."""

import pytest

from tests.conftest import BBC, SEEDS
from transforms.decode_text import DecodedArticle, article_id_of
from transforms.extract_entities import ExtractEntitiesFn
from transforms.gazetteer import load_gazetteer
from transforms.headers import parse_header
from transforms.parse_headers import ParsedArticle
from transforms.resolve_places import ResolvePlacesFn, place_entity_id
from transforms.toponyms import Toponym, focus_of, resolve_toponyms

UNITED_STATES, GEORGIA_COUNTRY, GEORGIA_STATE = 6252001, 614540, 4197000
RAPIDES_PARISH, TARRANT_COUNTY = 4338356, 4735638
TORONTO, ONTARIO, CANADA = 6167865, 6093943, 6251999
SEED_PLACES = {
    "Moscow": 524901,
    "Washington": 4140963,  # the capital, not the state
    "Geneva": 2660646,
    "Syria": 163843,
    "Russia": 2017370,
    "US": UNITED_STATES,
    "United States": UNITED_STATES,
}


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def _toponyms(body: str, *names: str) -> list[Toponym]:
    found, start = [], 0
    for name in names:
        start = body.index(name, start)
        found.append(Toponym(start, start + len(name), name, "GPE", None))
        start += len(name)
    return found


def test_names_of_one_place_key_alike(gazetteer):
    for name in ("U.S.", "US", "United States", "America"):
        assert UNITED_STATES in {p.geonameid for p in gazetteer.candidates(name)}, name
    assert {p.geonameid for p in gazetteer.candidates("Georgia")} >= {
        GEORGIA_COUNTRY,
        GEORGIA_STATE,
    }


def test_containment_keeps_the_place_inside_the_division(gazetteer):
    body = "He grew up in Springfield, Illinois, and later moved to Paris, Texas."
    places, _ = resolve_toponyms(
        body, _toponyms(body, "Springfield", "Illinois", "Paris", "Texas"), gazetteer
    )
    assert [(p.country_code, p.admin1) for p in places] == [
        ("US", "IL"),
        ("US", "IL"),
        ("US", "TX"),
        ("US", "TX"),
    ]
    assert places[1].feature_code == "ADM1"


def test_ap_state_abbreviation_is_the_state(gazetteer):
    body = "The company is based in Evansville, Ind., and employs 300."
    places, _ = resolve_toponyms(body, _toponyms(body, "Evansville", "Ind."), gazetteer)
    assert places[1].name == "Indiana" and places[0].admin1 == "IN"
    # spaCy's span often stops before the period: `Ind` in `South Bend, Ind.,`.
    body = "A tip came through the line in South Bend, Ind., on Friday."
    places, _ = resolve_toponyms(body, _toponyms(body, "South Bend", "Ind"), gazetteer)
    assert places[1].name == "Indiana" and places[0].admin1 == "IN"


def test_a_street_is_not_the_town_of_that_name_and_a_parish_is_the_parish(gazetteer):
    body = "Deputies were called to Dublin Road in Rapides Parish, near Alexandria."
    places, _ = resolve_toponyms(
        body, _toponyms(body, "Dublin", "Rapides", "Alexandria"), gazetteer
    )
    assert places[0] is None
    assert (places[1].geonameid, places[1].feature_code) == (RAPIDES_PARISH, "ADM2")
    assert (places[2].country_code, places[2].admin1) == ("US", "LA")


def test_initials_and_parts_of_a_place(gazetteer):
    body = "Crews from Wheeling, W.Va. and from North Texas arrived in Charleston, S.C."
    names = ("Wheeling", "W.Va", "North Texas", "Charleston", "S.C.")
    places, _ = resolve_toponyms(body, _toponyms(body, *names), gazetteer)
    assert [places[i].name for i in (1, 2, 4)] == ["West Virginia", "Texas", "South Carolina"]
    assert [(places[i].admin1, places[i].feature_code) for i in (0, 3)] == [
        ("WV", "PPL"),
        ("SC", "PPL"),
    ]


def test_a_capital_by_an_old_name_is_no_capital(gazetteer):
    # Amman's old name is Philadelphia; the story is about the city in Pennsylvania.
    body = "The team flew to Philadelphia on Sunday."
    places, _ = resolve_toponyms(body, _toponyms(body, "Philadelphia"), gazetteer)
    assert (places[0].country_code, places[0].admin1) == ("US", "PA")


def test_another_name_of_a_place_is_no_support_for_it(gazetteer):
    # Real LGL wording: `north Georgia` and `Atlanta` around `Georgia`: the state.
    body = "The drought is over in North Georgia, Georgia's climatologist said in Atlanta."
    toponyms = _toponyms(body, "North Georgia", "Georgia", "Atlanta")
    places, _ = resolve_toponyms(body, toponyms, gazetteer)
    assert [p.geonameid for p in places[:2]] == [GEORGIA_STATE, GEORGIA_STATE]


def test_a_division_named_after_its_town_is_the_town(gazetteer):
    body = "Flights between New York and Tel Aviv resume next month."
    places, _ = resolve_toponyms(body, _toponyms(body, "New York", "Tel Aviv"), gazetteer)
    assert [p.feature_code for p in places] == ["PPL", "PPL"]
    assert places[0].name == "New York City" and places[1].country_code == "IL"
    body = "The governor of New York state signed it."
    places, _ = resolve_toponyms(body, _toponyms(body, "New York"), gazetteer)
    assert places[0].feature_code == "ADM1"


def test_counties_resolve_in_their_state(gazetteer):
    # Real LGL wording: two counties named in one phrase, and one named in full.
    body = "Fires burned in Eastland and Callahan counties. Tarrant County sent crews."
    places, _ = resolve_toponyms(
        body, _toponyms(body, "Eastland", "Callahan", "Tarrant County"), gazetteer
    )
    assert places[1].name == "Callahan County" and places[1].admin1 == "TX"
    assert (places[2].geonameid, places[2].admin1) == (TARRANT_COUNTY, "TX")


def test_a_division_outside_the_us_with_its_country(gazetteer):
    body = "Toronto, the capital of Ontario, is Canada's largest city."
    places, _ = resolve_toponyms(body, _toponyms(body, "Toronto", "Ontario", "Canada"), gazetteer)
    assert [p.geonameid for p in places] == [TORONTO, ONTARIO, CANADA]
    assert places[1].feature_code == "ADM1"


def test_plain_words_are_not_divisions(gazetteer):
    # Cameroon's `North` region, Papua New Guinea's `Gulf`: never indexed as places.
    for word in ("North", "Gulf", "Delta"):
        assert not [p for p in gazetteer.candidates(word) if p.feature_code == "ADM1"], word
    body = "Growth in the metro area slowed."
    assert resolve_toponyms(body, _toponyms(body, "metro"), gazetteer)[0] == [None]


def test_the_us_lies_where_geonames_puts_it(gazetteer):
    from transforms.gazetteer import great_circle_km

    (us,) = [p for p in gazetteer.candidates("United States") if p.is_country]
    assert great_circle_km(us.latitude, us.longitude, 39.76, -98.5) < 161


def test_an_unsupported_small_town_is_null_not_a_guess(gazetteer):
    # Dozens of small towns share this name; nothing in the text says which.
    body = "Officials in Centerville said the road would reopen on Monday."
    places, _ = resolve_toponyms(body, _toponyms(body, "Centerville"), gazetteer)
    assert places == [None]


def test_focus_is_the_place_named_most(gazetteer):
    body = "Paris talks: France said Paris would host. Paris again."
    toponyms = _toponyms(body, "Paris", "France", "Paris", "Paris")
    places, focus = resolve_toponyms(body, toponyms, gazetteer)
    assert focus.name == "Paris" and focus.country_code == "FR"
    assert focus_of([], [], None) is None


def _annotate(paths):
    articles = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        source = DecodedArticle(article_id_of(text), path.name, len(text), None, "utf-8", text)
        articles.append(ParsedArticle(source=source, header=parse_header(text)))
    ner = ExtractEntitiesFn()
    ner.setup()
    places = ResolvePlacesFn()
    places.setup()
    return {
        placed.parsed.source.uri: placed
        for annotated in ner.process(articles)
        for placed in places.process(annotated)
    }


@pytest.fixture(scope="module")
def annotated():
    georgia = [
        BBC / "business" / "georgia-plans-hidden-asset-pardon.txt",
        BBC / "tech" / "us-woman-sues-over-cartridges.txt",
    ]
    return _annotate(sorted(SEEDS.glob("*.txt")) + georgia)


@pytest.mark.slow
def test_seed_places_resolve_to_their_geonames_places(annotated):
    resolved = {}
    for article in annotated.values():
        for m in article.mentions:
            if m.text in SEED_PLACES:
                resolved.setdefault(m.text, set()).add(m.geonameid)
    assert resolved == {name: {geonameid} for name, geonameid in SEED_PLACES.items()}


@pytest.mark.slow
def test_names_of_one_place_are_one_entity(annotated):
    us_id = place_entity_id(UNITED_STATES)
    for article in annotated.values():
        ids = {m.entity_id for m in article.mentions if m.text in ("US", "United States")}
        assert ids <= {us_id}
        entity_ids = [e.entity_id for e in article.entities]
        assert len(entity_ids) == len(set(entity_ids)), "one row per entity"
        for entity in article.entities:
            if entity.entity_id == us_id:
                assert (entity.geonameid, entity.country_code) == (UNITED_STATES, "US")
                assert entity.mention_count == sum(m.entity_id == us_id for m in article.mentions)


@pytest.mark.slow
def test_georgia_the_state_and_georgia_the_country_are_told_apart(annotated):
    # Real BBC stories: Georgia's tax amnesty (Saakashvili, the Georgian Parliament),
    # and a US lawsuit brought by "the unnamed woman from Georgia".
    country = annotated["georgia-plans-hidden-asset-pardon.txt"]
    state = annotated["us-woman-sues-over-cartridges.txt"]
    assert {m.geonameid for m in country.mentions if m.text == "Georgia"} == {GEORGIA_COUNTRY}
    assert {m.geonameid for m in state.mentions if m.text == "Georgia"} == {GEORGIA_STATE}
    assert country.focus.geonameid == GEORGIA_COUNTRY


@pytest.mark.slow
def test_dateline_place_and_focus_of_the_seeds(annotated):
    moscow = [a for a in annotated.values() if a.parsed.header.place == "Moscow"]
    assert moscow and all(a.dateline_place.geonameid == 524901 for a in moscow)
    assert all(a.focus is not None for a in annotated.values())
