"""People linked across articles: the rules, and the `person_links` table the commit keeps."""

import datetime
from pathlib import Path

import pytest

from pipeline import main as pipeline_main
from pipeline import sql
from transforms.entities import id_for
from transforms.link_people import PersonName, link_people, period_of

AUGUST = datetime.date(1996, 8, 1)
SEPTEMBER = datetime.date(1996, 9, 1)


def names(period, *articles: tuple[str, ...]) -> list[PersonName]:
    """One PersonName per name of each article (an article is a tuple of names)."""
    return [
        PersonName(f"{period}-{index}", period, id_for("PERSON", name), name)
        for index, article in enumerate(articles)
        for name in article
    ]


def linked(links: dict, period) -> dict[str, str]:
    """partial name -> the full name it links to, in `period`."""
    return {link.name: link.person_name for link in links.get(period, [])}


def test_a_bare_surname_links_to_the_full_name_that_dominates_its_period():
    links = link_people(names(AUGUST, ("Boris Yeltsin",), ("Boris Yeltsin",), ("Yeltsin",)))
    assert linked(links, AUGUST) == {"Yeltsin": "Boris Yeltsin"}
    (link,) = links[AUGUST]
    assert link.person_id == id_for("PERSON", "Boris Yeltsin")
    assert (link.articles, link.person_articles, link.candidate_articles) == (1, 2, 2)


def test_a_partial_name_of_several_words_links_too():
    people = names(AUGUST, ("Aung San Suu Kyi",), ("Aung San Suu Kyi",), ("Suu Kyi",))
    assert linked(link_people(people), AUGUST) == {"Suu Kyi": "Aung San Suu Kyi"}


def test_one_article_is_not_enough_evidence():
    assert linked(link_people(names(AUGUST, ("Boris Yeltsin",), ("Yeltsin",))), AUGUST) == {}


def test_people_who_share_a_surname_stay_apart():
    two_williams = names(
        AUGUST, ("Serena Williams",), ("Serena Williams",), ("Venus Williams",), ("Williams",)
    )
    assert linked(link_people(two_williams), AUGUST) == {}
    two_bushes = names(
        AUGUST,
        ("George Bush",),
        ("George Bush",),
        ("George W. Bush",),
        ("George W. Bush",),
        ("Bush",),
    )
    # Neither full name is a partial of the other, and "Bush" has no dominant candidate.
    assert linked(link_people(two_bushes), AUGUST) == {}


def test_a_clear_majority_still_links_against_a_rare_namesake():
    people = names(
        AUGUST,
        *[("Bill Clinton",)] * 9,
        ("Chelsea Clinton",),
        ("Clinton",),
    )
    assert linked(link_people(people), AUGUST) == {"Clinton": "Bill Clinton"}


def test_periods_are_linked_apart():
    people = names(AUGUST, ("Boris Yeltsin",), ("Boris Yeltsin",)) + names(SEPTEMBER, ("Yeltsin",))
    links = link_people(people)
    assert linked(links, AUGUST) == {} and linked(links, SEPTEMBER) == {}


def test_a_team_sheet_initial_is_no_candidate_and_suffixes_are_ignored():
    people = names(AUGUST, ("P. Nixon",), ("P. Nixon",), ("Nixon",))
    assert linked(link_people(people), AUGUST) == {}
    kings = names(AUGUST, ("Martin Luther King Jr.",), ("Martin Luther King Jr.",), ("King",))
    assert linked(link_people(kings), AUGUST) == {"King": "Martin Luther King Jr."}


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
    con = sql.open_dataset(str(output))
    return sql.query(con, "SELECT period, name, person_name FROM person_links ORDER BY 1, 2")[1]


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
