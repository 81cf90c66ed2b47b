"""Property tests of the header parser: it never raises, and header + body are the text.

Arbitrary text rarely reaches the deeper rules, so a second strategy glues together
fragments of real headers (datelines, field lines, dates, dashes, blank lines) at random.
"""

import datetime
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.headers import DATE_SOURCES, infer_year, parse_header

SETTINGS = settings(max_examples=300, deadline=None)

FRAGMENTS = [
    "MOSCOW", "CLEVELAND, Ohio", "ST. PETERSBURG", "SÃO PAULO", "Toronto", "THE END", "NASA",
    ", ", ". ", " - ", " -- ", " — ", " (Reuters) ", " (AP) ", "/TASS/. ", "(Sputnik - ",
    "24th August, 2018) ", "Oct 23", "Feb 29", "Narch 2", "2018-10-23", "T14:05:00+03:00",
    "Tue, 23 Oct 2018", "\n", "\n\n", "\r\n", " ", "\t", "---\n", "Title: ", "Date: ",
    "Source: ", "Author: ", "title: ", " date ", "By Jane Doe\n", "RPT: REVIEW - ",
    "UPDATE 2-", "Body text.", "(", ")", "/", ":", "ſep 5", "\u2028",
]  # fmt: skip

header_like_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=25).map(
    "".join
)
references = st.none() | st.datetimes(
    min_value=datetime.datetime(1900, 1, 1),
    max_value=datetime.datetime(2100, 1, 1),
    timezones=st.just(datetime.UTC),
)


def check_header_accounts_for_text(text: str, reference: datetime.datetime | None) -> None:
    header = parse_header(text, reference=reference)
    assert 0 <= header.body_offset <= len(text)
    assert text[: header.body_offset] + header.body == text
    assert header.date_source in DATE_SOURCES
    assert (header.published_date is None) == (header.date_source == "none")
    if reference is None:
        assert header.date_source != "reference"
    if header.title is not None:
        assert header.title.strip() == header.title and header.title
        assert header.headline
    assert isinstance(header.agencies, tuple)


@SETTINGS
@given(text=st.text(), reference=references)
def test_arbitrary_text_never_raises_and_is_accounted_for(text, reference):
    check_header_accounts_for_text(text, reference)


@SETTINGS
@given(text=header_like_text, reference=references)
def test_header_like_text_never_raises_and_is_accounted_for(text, reference):
    check_header_accounts_for_text(text, reference)


@SETTINGS
@given(
    place=st.sampled_from(["MOSCOW", "SALVADOR", "NEW YORK", "RIO DE JANEIRO", "ST. LOUIS"]),
    day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2000, 12, 31)),
    reference=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2050, 1, 1)),
    body=st.text(min_size=1).filter(lambda body: not body[0].isspace()),
)
def test_reuters_dateline_dates_follow_the_year_rule(place, day, reference, body):
    text = f"{place}, {day:%b} {day.day} - {body}"
    moment = datetime.datetime.combine(reference, datetime.time(12), tzinfo=datetime.UTC)
    header = parse_header(text, reference=moment)
    assert header.dateline == place
    assert header.body == body
    assert header.date_source == "dateline+reference"
    published = header.published_date
    assert (published.month, published.day) == (day.month, day.day)
    assert published <= reference + datetime.timedelta(days=1)


@SETTINGS
@given(
    day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2000, 12, 31)),
    reference=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2050, 1, 1)),
)
def test_inferred_year_is_the_latest_possible(day, reference):
    inferred = infer_year(day.month, day.day, reference)
    latest = reference + datetime.timedelta(days=1)
    assert inferred is not None
    assert (inferred.month, inferred.day) == (day.month, day.day)
    assert inferred <= latest
    for year in range(inferred.year + 1, latest.year + 1):
        try:
            later = datetime.date(year, day.month, day.day)
        except ValueError:
            continue  # Feb 29 outside leap years
        assert later > latest


def test_a_short_fuzz_run_of_decoding_and_the_parser_finds_nothing(tmp_path):
    fuzzer = Path(__file__).resolve().parent / "fuzz_parser.py"
    completed = subprocess.run(
        [sys.executable, str(fuzzer), "-runs=20000", "-max_len=2000", "-seed=1"],
        cwd=tmp_path,  # a crash file would land here
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Done 20000 runs" in completed.stderr
