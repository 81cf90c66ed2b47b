"""People linked across articles: the rules, and the `person_names` table the commit keeps."""

import datetime
from pathlib import Path

import pytest

from pipeline import main as pipeline_main
from pipeline import sql
from transforms.entities import id_for
from transforms.link_people import count_names, period_of, person_names_rows

AUGUST = datetime.date(1996, 8, 1)


def counts(*articles: tuple[str, ...]) -> dict:
    """The name counts of one period whose articles name these (a tuple of names each)."""
    return count_names((id_for("PERSON", name), name) for article in articles for name in article)


def linked(*articles: tuple[str, ...]) -> dict[str, str]:
    """partial name -> the full name it links to, among these articles of one period."""
    rows = person_names_rows(counts(*articles))
    return {row.name: row.person_name for row in rows if row.person_id != row.entity_id}


def test_a_bare_surname_links_to_the_full_name_that_dominates_its_period():
    assert linked(("Boris Yeltsin",), ("Boris Yeltsin",), ("Yeltsin",)) == {
        "Yeltsin": "Boris Yeltsin"
    }
    rows = person_names_rows(counts(("Boris Yeltsin",), ("Boris Yeltsin",), ("Yeltsin",)))
    by_name = {row.name: row for row in rows}
    full = id_for("PERSON", "Boris Yeltsin")
    assert by_name["Yeltsin"].person_id == full
    assert (by_name["Yeltsin"].articles, by_name["Yeltsin"].person_articles) == (1, 2)
    assert by_name["Yeltsin"].candidate_articles == 2
    # A full name stands for itself, with no link evidence.
    assert (by_name["Boris Yeltsin"].person_id, by_name["Boris Yeltsin"].articles) == (full, 2)
    assert by_name["Boris Yeltsin"].person_articles is None


def test_a_partial_name_of_several_words_links_too():
    assert linked(("Aung San Suu Kyi",), ("Aung San Suu Kyi",), ("Suu Kyi",)) == {
        "Suu Kyi": "Aung San Suu Kyi"
    }


def test_one_article_is_not_enough_evidence():
    assert linked(("Boris Yeltsin",), ("Yeltsin",)) == {}


def test_people_who_share_a_surname_stay_apart():
    williams = [("Serena Williams",), ("Serena Williams",), ("Venus Williams",), ("Williams",)]
    assert linked(*williams) == {}  # 2 of 3 is no more than two thirds
    bushes = [("George Bush",)] * 2 + [("George W. Bush",)] * 2 + [("Bush",)]
    # Neither full name is a partial of the other, and "Bush" has no dominant candidate.
    assert linked(*bushes) == {}


def test_a_clear_majority_still_links_against_a_rare_namesake():
    clintons = [("Bill Clinton",)] * 9 + [("Chelsea Clinton",), ("Clinton",)]
    assert linked(*clintons) == {"Clinton": "Bill Clinton"}


def test_a_team_sheet_initial_is_no_candidate_and_suffixes_are_ignored():
    assert linked(("P. Nixon",), ("P. Nixon",), ("Nixon",)) == {}
    kings = [("Martin Luther King Jr.",)] * 2 + [("King",)]
    assert linked(*kings) == {"King": "Martin Luther King Jr."}


def test_counts_subtract_and_keep_one_spelling_whatever_the_order():
    sergei, sergey = ("Sergei Shoigu", "Sergey Shoigu")
    assert id_for("PERSON", sergei) == id_for("PERSON", sergey)
    forward = count_names([(id_for("PERSON", sergei), sergei), (id_for("PERSON", sergey), sergey)])
    backward = count_names([(id_for("PERSON", sergey), sergey), (id_for("PERSON", sergei), sergei)])
    assert forward == backward
    count_names([(id_for("PERSON", sergei), sergei)], -1, forward)
    (entry,) = forward.values()
    assert entry.articles == 1
    assert person_names_rows(count_names([(id_for("PERSON", sergei), sergei)], -1)) == []


def test_the_period_is_the_month():
    assert period_of(datetime.date(1996, 8, 30)) == AUGUST
    assert period_of(None) is None


# --- the table, through real runs -------------------------------------------------------

FULL_NAME = (
    "Yeltsin to rest\n\nMOSCOW, {day} (Reuters) - Russian President Boris Yeltsin will "
    "rest at a lakeside retreat, his spokesman said on {weekday}. Boris Yeltsin, 65, "
    "returned to work last week.\n"
)
SURNAME_ONLY = (
    "Kremlin calm\n\nMOSCOW, {day} (Reuters) - Officials said on {weekday} that Yeltsin "
    "was in good health and that Yeltsin would meet the prime minister soon.\n"
)


def write(folder: Path, name: str, template: str, day: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(template.format(day=day, weekday="Tuesday"), encoding="utf-8")


def run(inputs: Path, output: Path) -> None:
    outcome = pipeline_main.run(["--input", str(inputs), "--output", str(output)])
    assert outcome.manifest is not None and outcome.manifest["all_inputs_accounted"]


def people_rows(output: Path) -> list[dict]:
    con = sql.open_dataset(str(output))
    names_, rows = sql.query(
        con,
        "SELECT a.title, p.name, p.person_name, p.person_id, p.date FROM people p "
        "JOIN articles a USING (article_id) WHERE p.name LIKE '%Yeltsin' ORDER BY a.title",
    )
    return [dict(zip(names_, row, strict=True)) for row in rows]


def link_rows(output: Path) -> list[tuple]:
    """(period, partial name, full name) of every link in the dataset."""
    con = sql.open_dataset(str(output))
    query = (
        "SELECT period, name, person_name FROM person_names "
        "WHERE person_id <> entity_id ORDER BY 1, 2"
    )
    return sql.query(con, query)[1]


@pytest.mark.slow
def test_links_are_kept_across_runs_and_follow_replaced_articles(tmp_path):
    landing, output = tmp_path / "landing", tmp_path / "out"
    write(landing, "a1.txt", FULL_NAME.replace("Yeltsin to rest", "August one"), "Aug 20, 1996")
    write(landing, "a2.txt", FULL_NAME.replace("Yeltsin to rest", "August two"), "Aug 21, 1996")
    write(landing, "a3.txt", SURNAME_ONLY.replace("Kremlin calm", "August bare"), "Aug 22, 1996")
    write(landing, "s1.txt", SURNAME_ONLY.replace("Kremlin calm", "September bare"), "Sep 3, 1996")
    run(landing, output)
    yeltsin = (datetime.date(1996, 8, 1), "Yeltsin", "Boris Yeltsin")
    assert link_rows(output) == [yeltsin]
    august = [row for row in people_rows(output) if row["title"].startswith("August")]
    assert {row["person_name"] for row in august} == {"Boris Yeltsin"}
    assert len({row["person_id"] for row in august}) == 1
    (september,) = [row for row in people_rows(output) if row["title"] == "September bare"]
    assert september["person_name"] == "Yeltsin"  # no full name in September yet

    # A later run brings the evidence for September: the stored bare name links.
    write(landing, "s2.txt", FULL_NAME.replace("Yeltsin to rest", "September one"), "Sep 4, 1996")
    write(landing, "s3.txt", FULL_NAME.replace("Yeltsin to rest", "September two"), "Sep 5, 1996")
    run(landing, output)
    assert link_rows(output) == [yeltsin, (datetime.date(1996, 9, 1), "Yeltsin", "Boris Yeltsin")]
    (september,) = [row for row in people_rows(output) if row["title"] == "September bare"]
    assert september["person_name"] == "Boris Yeltsin"

    # An August article rewritten without the full name: one article is too little evidence.
    write(landing, "a2.txt", SURNAME_ONLY.replace("Kremlin calm", "August two"), "Aug 21, 1996")
    run(landing, output)
    assert link_rows(output) == [(datetime.date(1996, 9, 1), "Yeltsin", "Boris Yeltsin")]
    assert_counts_match_entities(output)


def assert_counts_match_entities(output: Path) -> None:
    """The counts kept commit by commit equal a recount of the stored entities."""
    con = sql.open_dataset(str(output))
    kept = sql.query(con, "SELECT period, entity_id, articles FROM person_names ORDER BY ALL")[1]
    recount = sql.query(
        con,
        "SELECT CAST(date_trunc('month', date) AS DATE), entity_id, count(*) FROM entities "
        "WHERE label = 'PERSON' GROUP BY ALL ORDER BY ALL",
    )[1]
    assert kept == recount and kept
