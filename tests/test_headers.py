"""Unit tests of the pure header parser: datelines, dates, header blocks, titles, slugs."""

import dataclasses
import datetime
from pathlib import Path

import pytest

from transforms.headers import (
    DATE_SOURCES,
    Header,
    PartialDate,
    infer_year,
    match_date,
    parse_header,
    strip_wire_slugs,
)
from transforms.places import Location, locate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
UTC = datetime.UTC


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=UTC)


def assert_accounts_for_text(header: Header, text: str) -> None:
    assert text[: header.body_offset] + header.body == text


# --- the interface the pipeline relies on ----------------------------------------------------


def test_header_fields_are_the_agreed_interface():
    assert [field.name for field in dataclasses.fields(Header)] == [
        "title",
        "headline",
        "dateline",
        "place",
        "country_code",
        "timezone",
        "agencies",
        "published_date",
        "date_source",
        "author",
        "body_offset",
        "body",
    ]
    assert DATE_SOURCES == ("header", "dateline+reference", "reference", "none")


def test_header_is_frozen():
    header = parse_header("Some text.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        header.title = "changed"


# --- the three seeds -------------------------------------------------------------------------


def test_seed_002_sputnik_title_and_dateline():
    text = (SEEDS / "002_d75993ab0ea988bf.txt").read_text(encoding="utf-8")
    header = parse_header(text)
    assert header.title == (
        "RPT: REVIEW - Russia, US Agree To Revive Inter-Ministerial Ties, "
        "Although Disagreements Remain In Place"
    )
    assert header.headline == (
        "Russia, US Agree To Revive Inter-Ministerial Ties, Although Disagreements Remain In Place"
    )
    assert header.dateline == "MOSCOW"
    assert (header.place, header.country_code, header.timezone) == (
        "Moscow",
        "RU",
        "Europe/Moscow",
    )
    assert header.agencies == ("Pakistan Point News", "Sputnik")
    assert header.published_date == datetime.date(2018, 8, 24)
    assert header.date_source == "header"
    assert header.body.startswith("Russian Security Council Secretary")
    assert_accounts_for_text(header, text)


def test_seed_001_inline_date_marker():
    text = (SEEDS / "001_557d3ff9d594c1ed.txt").read_text(encoding="utf-8")
    header = parse_header(text)
    assert header.published_date == datetime.date(2018, 10, 23)
    assert header.date_source == "header"
    assert header.body.startswith("Syria is now")
    assert header.title is None
    assert header.dateline is None
    assert header.agencies == ()


def test_seed_000_tass_dateline_takes_year_from_reference():
    text = (SEEDS / "000_ecb1709d6c659af1.txt").read_text(encoding="utf-8")
    header = parse_header(text, reference=datetime.datetime(2018, 10, 24, tzinfo=UTC))
    assert header.dateline == "MOSCOW"
    assert header.agencies == ("TASS",)
    assert header.published_date == datetime.date(2018, 10, 23)
    assert header.date_source == "dateline+reference"
    assert header.body.startswith("Russian Defense Minister")
    assert header.title is None


def test_seed_000_without_reference_invents_no_year():
    text = (SEEDS / "000_ecb1709d6c659af1.txt").read_text(encoding="utf-8")
    header = parse_header(text)
    assert header.published_date is None
    assert header.date_source == "none"


# --- datelines -------------------------------------------------------------------------------

DATELINES = [
    # text, dateline as written, agencies, date as written, body start
    (
        "MOSCOW, October 23. /TASS/. Russian Defense Minister Sergei Shoigu has stated...",
        "MOSCOW",
        ("TASS",),
        PartialDate(None, 10, 23),
        "Russian Defense",
    ),
    (
        "MOSCOW (Pakistan Point News / Sputnik - 24th August, 2018) Russian Security...",
        "MOSCOW",
        ("Pakistan Point News", "Sputnik"),
        PartialDate(2018, 8, 24),
        "Russian Security",
    ),
    (
        "SALVADOR, Feb 26 - Showers continued throughout the week in\nthe Bahia cocoa zone",
        "SALVADOR",
        (),
        PartialDate(None, 2, 26),
        "Showers continued",
    ),
    (
        "LONDON, Jan 5 (Reuters) - Britain's main share index rose on Friday.",
        "LONDON",
        ("Reuters",),
        PartialDate(None, 1, 5),
        "Britain's main",
    ),
    (
        "WASHINGTON (AP) — The Senate voted on Tuesday to approve the bill.",
        "WASHINGTON",
        ("AP",),
        None,
        "The Senate",
    ),
    (
        "PARIS (AFP) - France's president said on Monday that...",
        "PARIS",
        ("AFP",),
        None,
        "France's president",
    ),
    (
        "BEIJING, March 3 (Xinhua) -- China's top legislature opened its annual session.",
        "BEIJING",
        ("Xinhua",),
        PartialDate(None, 3, 3),
        "China's top",
    ),
    (
        "CLEVELAND, Ohio, Feb 26 - Standard Oil Co and BP North America Inc said...",
        "CLEVELAND, Ohio",
        (),
        PartialDate(None, 2, 26),
        "Standard Oil",
    ),
    (
        "CLEVELAND, Ohio (AP) — A man was charged on Friday with...",
        "CLEVELAND, Ohio",
        ("AP",),
        None,
        "A man",
    ),
    (
        "ATLANTA, Va. Feb 26 - The company said it had agreed...",
        "ATLANTA, Va.",
        (),
        PartialDate(None, 2, 26),
        "The company",
    ),
    (
        "OAKLAND , N.J., March 2 - Diagnostic Retrieval Systems Inc said...",
        "OAKLAND , N.J.",
        (),
        PartialDate(None, 3, 2),
        "Diagnostic Retrieval",
    ),
    (
        'RIO DE JANEIRO, Feb 26 - Brazil\'s "Cruzado" anti-inflation plan...',
        "RIO DE JANEIRO",
        (),
        PartialDate(None, 2, 26),
        "Brazil's",
    ),
    (
        "ST. PETERSBURG, Russia (AP) — Thousands gathered on Palace Square...",
        "ST. PETERSBURG, Russia",
        ("AP",),
        None,
        "Thousands gathered",
    ),
    (
        "SÃO PAULO, Oct 23 (Reuters) - Brazil's real weakened on Tuesday...",
        "SÃO PAULO",
        ("Reuters",),
        PartialDate(None, 10, 23),
        "Brazil's real",
    ),
    (
        "UNITED NATIONS (AP) — The Security Council met behind closed doors...",
        "UNITED NATIONS",
        ("AP",),
        None,
        "The Security",
    ),
    (
        "NEW YORK, Monday, Oct 23 (Reuters) - U.S. stocks fell on Monday...",
        "NEW YORK",
        ("Reuters",),
        PartialDate(None, 10, 23),
        "U.S. stocks",
    ),
    (
        "WASHINGTON — The Senate voted on Tuesday to approve the bill.",
        "WASHINGTON",
        (),
        None,
        "The Senate",
    ),
    (
        "MOSCOW, Oct. 23 (Interfax) - The Russian government approved...",
        "MOSCOW",
        ("Interfax",),
        PartialDate(None, 10, 23),
        "The Russian",
    ),
    (
        "ISLAMABAD, (UrduPoint / Pakistan Point News - 24th Aug, 2018 ) :Prime Minister Imran",
        "ISLAMABAD",
        ("UrduPoint", "Pakistan Point News"),
        PartialDate(2018, 8, 24),
        "Prime Minister",
    ),
    (
        "KUALA LUMPUR, 2 March - Malaysia's palm oil exports rose...",
        "KUALA LUMPUR",
        (),
        PartialDate(None, 3, 2),
        "Malaysia's",
    ),
    (
        "GENEVA, October 23, 2018 - The World Health Organization said...",
        "GENEVA",
        (),
        PartialDate(2018, 10, 23),
        "The World",
    ),
    # Old wire copy sometimes writes the city in title case; the dated form still counts.
    (
        "Toronto, Feb 26 - Canadian National Railway said...",
        "Toronto",
        (),
        PartialDate(None, 2, 26),
        "Canadian National",
    ),
]


@pytest.mark.parametrize(("text", "dateline", "agencies", "written_date", "body_start"), DATELINES)
def test_dateline(text, dateline, agencies, written_date, body_start):
    reference = utc(2018, 10, 24)
    header = parse_header(text, reference=reference)
    assert header.dateline == dateline
    assert header.agencies == agencies
    assert header.body.startswith(body_start)
    assert_accounts_for_text(header, text)
    if written_date is None:
        assert header.date_source == "reference"
    elif written_date.year is None:
        assert header.date_source == "dateline+reference"
        published = header.published_date
        assert (published.month, published.day) == (written_date.month, written_date.day)
    else:
        assert header.date_source == "header"
        assert header.published_date == datetime.date(*written_date)


def test_mistyped_month_keeps_the_dateline_but_not_the_date():
    header = parse_header("NEW YORK, Narch 2 - Qtr ended Jan 31", reference=utc(1987, 3, 2))
    assert header.dateline == "NEW YORK"
    assert header.published_date == datetime.date(1987, 3, 2)
    assert header.date_source == "reference"
    assert header.body == "Qtr ended Jan 31"


NOT_DATELINES = [
    # The first sentences of BBC stories: all body.
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the "
    "three months to December, from $639m year-earlier.",
    "UK retail sales fell in December, failing to meet expectations.",
    "DJ Norman Cook - aka Fatboy Slim - has said that dance music is not dead.",
    "US actor Ossie Davis has been found dead at the age of 87.",
    "BMW, the carmaker, said on Monday - after weeks of talks - that it would...",
    # Upper-case words, but no dateline-shaped tail.
    "THE END, he said - and walked out of the room.",
    "NASA - the US space agency - said on Tuesday that the launch was delayed.",
    "MOSCOW is the capital of Russia.",
    # A capitalized opener followed by a date reads like a dateline only in upper case.
    "On Monday, March 2 - the day of the vote - turnout was low.",
    "Yesterday, March 2 - the markets fell.",
]


@pytest.mark.parametrize("text", NOT_DATELINES)
def test_ordinary_first_sentence_is_no_dateline(text):
    header = parse_header(text)
    assert header.dateline is None
    assert header.place is None
    assert header.title is None
    assert header.body_offset == 0
    assert header.body == text


# --- places ----------------------------------------------------------------------------------

PLACES = [
    ("MOSCOW, Oct 23 (Reuters) - x", Location("Moscow", "RU", "Europe/Moscow")),
    ("CLEVELAND, Ohio, Feb 26 - x", Location("Cleveland", "US", "America/New_York")),
    ("RIO DE JANEIRO, Feb 26 - x", Location("Rio de Janeiro", "BR", "America/Sao_Paulo")),
    ("SÃO PAULO, Oct 23 - x", Location("São Paulo", "BR", "America/Sao_Paulo")),
    # The gazetteer's spelling: the abbreviation and the full name are one city.
    ("ST. PETERSBURG, Oct 23 - x", Location("Saint Petersburg", "RU", "Europe/Moscow")),
    # ... unless the region says it is Florida's.
    ("ST. PETERSBURG, Fla., Oct 23 - x", Location("St. Petersburg", "US", "America/New_York")),
    ("NEW YORK, March 2 - x", Location("New York City", "US", "America/New_York")),
    ("PORTLAND, Maine, March 2 - x", Location("Portland", "US", "America/New_York")),
    ("PORTLAND, Ore., March 2 - x", Location("Portland", "US", "America/Los_Angeles")),
    ("PEKING, March 2 - x", Location("Beijing", "CN", "Asia/Shanghai")),
    ("LONDON, Ontario, March 2 - x", Location("London", "CA", "America/Toronto")),
    ("UNITED NATIONS (AP) — x", Location("United Nations", None, None)),
    # A town too small for the gazetteer still gets its country from the region.
    ("SUFFIELD, Conn., March 2 - x", Location("Suffield", "US", None)),
    ("BAHRAIN, March 2 - x", Location("Bahrain", "BH", "Asia/Bahrain")),
]


@pytest.mark.parametrize(("text", "location"), PLACES)
def test_place_is_normalized_with_gazetteer(text, location):
    header = parse_header(text)
    assert (header.place, header.country_code, header.timezone) == (
        location.name,
        location.country_code,
        location.timezone,
    )


def test_region_that_names_both_a_state_and_a_country():
    assert locate("TBILISI", "Georgia").country_code == "GE"
    assert locate("ATLANTA", "Georgia").country_code == "US"


# --- dates -----------------------------------------------------------------------------------

DATES = [
    ("Oct 23", PartialDate(None, 10, 23)),
    ("Oct. 23", PartialDate(None, 10, 23)),
    ("October 23", PartialDate(None, 10, 23)),
    ("Sept. 5", PartialDate(None, 9, 5)),
    ("23 October", PartialDate(None, 10, 23)),
    ("24th August, 2018", PartialDate(2018, 8, 24)),
    ("October 23, 2018", PartialDate(2018, 10, 23)),
    ("Monday, Oct 23", PartialDate(None, 10, 23)),
    ("2018-10-23", PartialDate(2018, 10, 23)),
    ("2018-10-23T14:05:00+03:00", PartialDate(2018, 10, 23)),
    ("Tue, 23 Oct 2018 14:05:00 +0000", PartialDate(2018, 10, 23)),
    ("MARCH 2", PartialDate(None, 3, 2)),
]


@pytest.mark.parametrize(("written", "expected"), DATES)
def test_match_date(written, expected):
    found = match_date(written)
    assert found is not None
    assert found[0] == expected


@pytest.mark.parametrize("written", ["Octopus 23", "Mayor 5", "Junk 12", "23 Octopi", "2018"])
def test_match_date_rejects_words_that_only_start_like_months(written):
    assert match_date(written) is None


YEAR_RULE = [
    # month, day, reference date, expected
    (12, 31, datetime.date(2019, 1, 1), datetime.date(2018, 12, 31)),
    (1, 1, datetime.date(2018, 12, 31), datetime.date(2019, 1, 1)),
    (2, 27, datetime.date(1987, 2, 26), datetime.date(1987, 2, 27)),
    (2, 28, datetime.date(1987, 2, 26), datetime.date(1986, 2, 28)),
    (10, 23, datetime.date(2018, 10, 24), datetime.date(2018, 10, 23)),
    (2, 29, datetime.date(2019, 3, 1), datetime.date(2016, 2, 29)),
    (2, 29, datetime.date(2020, 2, 28), datetime.date(2020, 2, 29)),
    (2, 29, datetime.date(1903, 6, 1), datetime.date(1896, 2, 29)),
]


@pytest.mark.parametrize(("month", "day", "reference", "expected"), YEAR_RULE)
def test_infer_year(month, day, reference, expected):
    assert infer_year(month, day, reference) == expected


def test_day_that_never_exists_gives_no_date():
    assert infer_year(2, 30, datetime.date(2018, 10, 24)) is None
    header = parse_header("MOSCOW, Feb 30 - Text.", reference=utc(2018, 10, 24))
    assert header.dateline == "MOSCOW"
    assert (header.published_date, header.date_source) == (datetime.date(2018, 10, 24), "reference")


def test_dateline_year_comes_from_reference_across_new_year():
    header = parse_header("LONDON, Dec 31 (Reuters) - Text.", reference=utc(2019, 1, 1, 0))
    assert header.published_date == datetime.date(2018, 12, 31)
    assert header.date_source == "dateline+reference"


def test_no_date_in_text_uses_the_reference():
    header = parse_header("Some story without any header.", reference=utc(2018, 10, 24, 23))
    assert header.published_date == datetime.date(2018, 10, 24)
    assert header.date_source == "reference"


def test_no_date_and_no_reference():
    header = parse_header("Some story without any header.")
    assert (header.published_date, header.date_source) == (None, "none")


def test_full_date_in_text_beats_the_reference():
    text = "MOSCOW (Sputnik - 24th August, 2018) Text."
    header = parse_header(text, reference=utc(2020, 1, 1))
    assert (header.published_date, header.date_source) == (datetime.date(2018, 8, 24), "header")


# --- header blocks ---------------------------------------------------------------------------


def test_rfc822_style_header_block():
    text = (
        "Title: UPDATE 1-Shoigu says Russia, US could jointly tackle nuclear issues\n"
        "Date: 2018-10-23T23:05:00-05:00\n"
        "Source: TASS / Sputnik\n"
        "Author: Jane Doe\n"
        "\n"
        "MOSCOW, Oct 23 (TASS) - Russian Defense Minister Sergei Shoigu said..."
    )
    header = parse_header(text, reference=utc(2018, 10, 24))
    assert header.title == "UPDATE 1-Shoigu says Russia, US could jointly tackle nuclear issues"
    assert header.headline == "Shoigu says Russia, US could jointly tackle nuclear issues"
    # The date as written in its own zone, not converted to UTC (which is Oct 24).
    assert header.published_date == datetime.date(2018, 10, 23)
    assert header.date_source == "header"
    assert header.agencies == ("TASS", "Sputnik")
    assert header.author == "Jane Doe"
    assert header.dateline == "MOSCOW"
    assert header.body.startswith("Russian Defense")


def test_rfc822_date_in_header_block():
    text = "Date: Tue, 23 Oct 2018 14:05:00 +0000\nSource: Reuters\n\nBody text here."
    header = parse_header(text)
    assert header.published_date == datetime.date(2018, 10, 23)
    assert header.agencies == ("Reuters",)
    assert header.title is None
    assert header.body == "Body text here."


def test_header_block_without_title_may_have_a_title_line():
    text = "Date: 2018-10-23\n\nShoigu meets Bolton\n\nThe defense minister said..."
    header = parse_header(text)
    assert header.title == "Shoigu meets Bolton"
    assert header.body == "The defense minister said..."


def test_yaml_front_matter():
    text = (
        "---\n"
        'title: "EXCLUSIVE-Russia and US to resume military contacts"\n'
        "date: 2018-10-23\n"
        "source: [Reuters]\n"
        "author:\n"
        "  - Jane Doe\n"
        "  - John Roe\n"
        "---\n"
        "LONDON, Oct 23 (Reuters) - Russia and the United States..."
    )
    header = parse_header(text)
    assert header.title == "EXCLUSIVE-Russia and US to resume military contacts"
    assert header.headline == "Russia and US to resume military contacts"
    assert header.published_date == datetime.date(2018, 10, 23)
    assert header.agencies == ("Reuters",)
    assert header.author == "Jane Doe, John Roe"
    assert header.dateline == "LONDON"
    assert header.body.startswith("Russia and the United States")


def test_dashes_without_known_keys_are_no_front_matter():
    text = "---\nsome: thing\n---\nBody."
    header = parse_header(text)
    assert header.body == text


def test_unknown_field_line_is_no_header_block():
    text = "Note: prices are in US dollars.\n\nThe company said..."
    header = parse_header(text)
    assert header.title == "Note: prices are in US dollars."
    assert header.published_date is None


def test_title_line_then_body_like_bbc():
    text = (
        "Ad sales boost Time Warner profit\n\n"
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the "
        "three months to December, from $639m year-earlier.\n\nThe firm said..."
    )
    header = parse_header(text)
    assert header.title == "Ad sales boost Time Warner profit"
    assert header.headline == header.title
    assert header.dateline is None
    assert header.body.startswith("Quarterly profits")
    assert_accounts_for_text(header, text)


def test_title_line_then_reuters_dateline():
    text = "BAHIA COCOA REVIEW\n\nSALVADOR, Feb 26 - Showers continued throughout the week"
    header = parse_header(text, reference=utc(1987, 2, 26))
    assert header.title == "BAHIA COCOA REVIEW"
    assert header.headline == "BAHIA COCOA REVIEW"
    assert header.dateline == "SALVADOR"
    assert header.published_date == datetime.date(1987, 2, 26)
    assert header.body.startswith("Showers continued")


def test_title_and_byline_then_ap_dateline():
    text = (
        "Bolton arrives in Moscow for talks\n\n"
        "By JIM HEINTZ, Associated Press\n\n"
        "MOSCOW (AP) — U.S. National Security Adviser John Bolton..."
    )
    header = parse_header(text)
    assert header.title == "Bolton arrives in Moscow for talks"
    assert header.author == "JIM HEINTZ"
    assert header.dateline == "MOSCOW"
    assert header.agencies == ("AP",)
    assert header.body.startswith("U.S. National Security")


def test_sentence_starting_with_by_is_no_byline():
    text = "Title\n\nBy declaring their assets, people would be able to legalise them."
    header = parse_header(text)
    assert header.author is None
    assert header.body.startswith("By declaring")


def test_no_header_at_all():
    text = (
        "Syria is now the only international issue the US and Russia are tackling\n"
        "together, Defense Minister Sergey Shoigu told John Bolton.\n\nMore text."
    )
    header = parse_header(text, reference=utc(2018, 10, 24))
    assert header.title is None
    assert header.dateline is None
    assert header.body_offset == 0
    assert header.body == text


def test_single_line_is_body_not_title():
    header = parse_header("Just one line of text")
    assert header.title is None
    assert header.body == "Just one line of text"


def test_title_needs_text_after_it():
    header = parse_header("A lonely title\n\n   \n")
    assert header.title is None
    assert header.body_offset == 0


def test_overlong_first_line_is_no_title():
    first = "word " * 70
    header = parse_header(first + "\n\nSecond paragraph.")
    assert header.title is None
    assert header.body_offset == 0


def test_dateline_led_first_paragraph_is_no_title():
    text = "MOSCOW, Oct 23 (TASS) - Shoigu met Bolton.\n\nHe said more."
    header = parse_header(text)
    assert header.title is None
    assert header.dateline == "MOSCOW"
    assert header.body == "Shoigu met Bolton.\n\nHe said more."


def test_windows_line_endings():
    text = "Ad sales boost Time Warner profit\r\n\r\nQuarterly profits at US media giant..."
    header = parse_header(text)
    assert header.title == "Ad sales boost Time Warner profit"
    assert header.body.startswith("Quarterly profits")


def test_leading_whitespace_alone_is_no_header():
    text = "\n\n   Body text that spans\ntwo lines."
    header = parse_header(text)
    assert header.body_offset == 0
    assert header.body == text


# --- wire slugs ------------------------------------------------------------------------------

SLUGGED = [
    ("RPT: REVIEW - Russia, US Agree To Revive Ties", "Russia, US Agree To Revive Ties"),
    ("UPDATE 2-Oil prices rise on supply worries", "Oil prices rise on supply worries"),
    ("CORRECTED-UPDATE 1-Oil prices rise", "Oil prices rise"),
    ("WRAPUP 1-Protests spread across the region", "Protests spread across the region"),
    ("EXCLUSIVE-Apple in talks to buy startup", "Apple in talks to buy startup"),
    ("FACTBOX-Key facts about the INF treaty", "Key facts about the INF treaty"),
    ("ANALYSIS-Why the treaty matters", "Why the treaty matters"),
    ("Analysis: Why the treaty matters", "Why the treaty matters"),
    ("REFILE-Bolton meets Putin in Moscow", "Bolton meets Putin in Moscow"),
    ("SPECIAL REPORT-The making of a deal", "The making of a deal"),
]


@pytest.mark.parametrize(("title", "headline"), SLUGGED)
def test_wire_slugs_are_stripped(title, headline):
    assert strip_wire_slugs(title) == headline


@pytest.mark.parametrize(
    "title",
    [
        "BAHIA COCOA REVIEW",
        "FLASH FLOODS HIT TEXAS",
        "Review of the year - 2004 in film",
        "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER",
        "UPDATE",
    ],
)
def test_titles_without_slugs_are_kept(title):
    assert strip_wire_slugs(title) == title


# --- agencies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("LONDON, Jan 5 (REUTERS) - Text.", ("Reuters",)),
        ("NEW YORK (The Associated Press) — Text.", ("AP",)),
        ("MOSCOW, Oct 23 /ITAR-TASS/ - Text.", ("TASS",)),
        ("WASHINGTON (CNN) — Text.", ("CNN",)),
    ],
)
def test_agency_spellings_are_normalized(text, agencies):
    assert parse_header(text).agencies == agencies


# One grammar for the wire formats of other outlets and decades (bench/devsets/headers/):
# (text, dateline as written, place, agencies, published date or None, author or None).
WIRE_FORMATS = [
    (
        "NAIROBI, Kenya (AP) _ Thousands of laborers",
        "NAIROBI, Kenya",
        "Nairobi",
        ("AP",),
        None,
        None,
    ),
    ("LITTLE ROCK, Ark. _ The governor said", "LITTLE ROCK, Ark.", "Little Rock", (), None, None),
    ("Tokyo (CNN)Police said on Monday", "Tokyo", "Tokyo", ("CNN",), None, None),
    ("(CNN)About to leave office, the mayor", "(CNN)", None, ("CNN",), None, None),
    (
        "(The Hollywood Reporter)Melissa McCarthy will",
        "(The Hollywood Reporter)",
        None,
        ("The Hollywood Reporter",),
        None,
        None,
    ),
    (
        "NEW YORK (CNNMoney) Fear has returned",
        "NEW YORK",
        "New York City",
        ("CNNMoney",),
        None,
        None,
    ),
    ("March 3, 2015 . You may not have heard", "March 3, 2015", None, (), (2015, 3, 3), None),
    (
        "LONDON 1996-08-30\nWest Indian all-rounder Phil Simmons",
        "LONDON",
        "London",
        (),
        (1996, 8, 30),
        None,
    ),
    (
        "Peter Blackburn\nBRUSSELS 1996-08-22\nThe European Commission",
        "BRUSSELS",
        "Brussels",
        (),
        (1996, 8, 22),
        "Peter Blackburn",
    ),
    (
        "CHICAGO, Dec 6 (Reuter) - Grain futures",
        "CHICAGO",
        "Chicago",
        ("Reuters",),
        (1987, 12, 6),
        None,
    ),
    (
        "ROME, March 13, Reuter - Italy's treasury",
        "ROME",
        "Rome",
        ("Reuters",),
        (1988, 3, 13),
        None,
    ),
    (
        "JERUSALEM Aug. 23, 2004 - Israel announced",
        "JERUSALEM",
        "Jerusalem",
        (),
        (2004, 8, 23),
        None,
    ),
    (
        "Pretoria March 9 SAPA -- The Afrikaner",
        "Pretoria",
        "Pretoria",
        ("SAPA",),
        (1988, 3, 9),
        None,
    ),
    (
        "[Report by E. Kemp]\nMessina March 9 SAPA -- Police on Wednesday",
        "Messina",
        "Messina",
        ("SAPA",),
        (1988, 3, 9),
        "E. Kemp",
    ),
    ("AP - A committee overseeing a review", "AP", None, ("AP",), None, None),
    (
        "SPACE.com - TORONTO, Canada -- A second team",
        "TORONTO, Canada",
        "Toronto",
        ("SPACE.com",),
        None,
        None,
    ),
    ("LONDON (newratings.com) - Shares of", "LONDON", "London", ("newratings.com",), None, None),
    (
        "By JANE DOE\nc.1999 N.Y. Times News Service\nPHOENIX _ The heat",
        "PHOENIX",
        "Phoenix",
        ("N.Y. Times News Service",),
        None,
        "JANE DOE",
    ),
    (
        "(In Dec. 25 story, corrects name) By Bernie Woodall (Reuters) - A man claiming",
        "(Reuters)",
        None,
        ("Reuters",),
        None,
        "Bernie Woodall",
    ),
]


@pytest.mark.parametrize(
    ("text", "dateline", "place", "agencies", "day", "author"),
    WIRE_FORMATS,
    ids=[row[1] for row in WIRE_FORMATS],
)
def test_wire_formats_of_other_outlets(text, dateline, place, agencies, day, author):
    header = parse_header(text, reference=utc(1988, 3, 14))
    assert header.dateline == dateline
    assert header.place == place
    assert header.agencies == agencies
    assert header.author == author
    if day:
        assert header.published_date == datetime.date(*day)
    assert header.body[0].isupper()


@pytest.mark.parametrize(
    "text",
    [
        "DIAMOND SHAMROCK (DIA) CUTS CRUDE PRICES\n\nNEW YORK, Feb 26 - Diamond",
        "INDICATORS - Hungary - updated Aug 22.\n\nBUDAPEST 1996-08-22\nThe latest",
        "(CORRECTED) - BANPONCE PLACES NOTES\n\nNEW YORK, March 2 - BanPonce",
        "OPEC MAY HAVE TO MEET TO FIRM PRICES - ANALYSTS\n\nNEW YORK, Feb 26 - OPEC",
    ],
)
def test_a_title_that_reads_like_a_credit_stays_the_title(text):
    header = parse_header(text, reference=utc(1996, 8, 22))
    assert header.title == text.split("\n", 1)[0]
    assert header.place in ("New York City", "Budapest")


@pytest.mark.parametrize(
    "text",
    [
        "Republican Convention Dogged by Protests (Reuters)\n\nFive thousand people",
        "October 14, 2004 was the day the device shipped.",
        "Apple (AAPL) said on Monday it would",
        "Peter Blackburn said the commission disagreed.",
    ],
)
def test_prose_is_never_a_dateline(text):
    header = parse_header(text)
    assert header.dateline is None


def test_a_news_service_block_of_notes_byline_and_credit_before_the_dateline():
    text = (
        "ELIAN SAGA TESTING CUBAN FAMILY'S TIES\n\n"
        "Moving in both (i) International and (w) Washington categories.\n"
        "(For release Sun., Sept. 13)  (JT)\n"
        "By MIKE WILLIAMS\nAND JANE ROE\n"
        "c.2000 Cox News Service\n"
        "MIAMI _ The angry crowd rushed at Manuel Gonzalez"
    )
    header = parse_header(text)
    assert header.title == "ELIAN SAGA TESTING CUBAN FAMILY'S TIES"
    assert (header.dateline, header.agencies) == ("MIAMI", ("Cox News Service",))
    assert header.author == "MIKE WILLIAMS and JANE ROE"
    assert header.body.startswith("The angry crowd")


def test_a_deck_under_the_title_is_header():
    text = (
        "Home Depot CEO Nardelli quits\n"
        "Home-improvement retailer's chief executive had been criticized over pay\n\n"
        "ATLANTA - Bob Nardelli abruptly resigned Wednesday"
    )
    header = parse_header(text)
    assert header.title == "Home Depot CEO Nardelli quits"
    assert header.dateline == "ATLANTA"
    assert header.body.startswith("Bob Nardelli")


def test_lines_before_a_story_without_a_byline_stay_body():
    text = "Moving in both categories.\nThe council met on Monday.\n\nMore text."
    header = parse_header(text)
    assert header.title is None and header.author is None
    assert header.body == text


def test_a_credit_named_at_the_end_of_the_title_and_at_the_start_is_a_credit():
    header = parse_header("Windows update ships (PC World)\n\nPC World - Microsoft has shipped.")
    assert header.agencies == ("PC World",)
    assert header.body == "Microsoft has shipped."
    assert header.dateline == "PC World" and header.place is None
    # Named in one place only, or with no dash after it, it stays body.
    for text in (
        "Windows update ships\n\nPC World - Microsoft has shipped.",
        "Windows update ships (PC World)\n\nPC World reports that Microsoft has shipped.",
    ):
        header = parse_header(text)
        assert header.agencies == () and header.body.startswith("PC World")
