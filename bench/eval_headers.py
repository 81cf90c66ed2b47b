"""Measure `transforms.headers.parse_header` against two corpora.

Reuters-21578 as wire files (title, blank line, `SALVADOR, Feb 26 - body`), each file's
mtime set to the story's date, with what the SGML says in truth.jsonl; made with
../shared/tools/reuters_to_txt.py, or by this script given --convert:

    python bench/eval_headers.py reuters reuters-txt \\
        --convert ../shared/corpus/reuters-dev

Any of the 22 .sgm files can be converted; only reut2-000 was used in tuning the
parser, so reut2-001 to reut2-021 are unseen stories. Besides the totals it prints the
1987 forms found nowhere else (`, Reuter -`, lower-case market reports) on their own.
Title, dateline city and published date are compared to the truth. The city is the
dateline as parsed up to its first comma (`CLEVELAND, Ohio` -> `CLEVELAND`), compared
exactly, case included, since the truth keeps the city as written (`NEW YORK`, `Toronto`).

The BBC corpus (title line, blank line, body; no datelines):

    python bench/eval_headers.py bbc ../shared/corpus/bbc

counts the articles whose title and body come out as written, and lists every dateline
found, each of them invented.

The development set of real story openings from other outlets and decades
(bench/devsets/headers/, truth from each source's own structure; see its README):

    python bench/eval_headers.py devset [DIR] [--family ap_underscore] [--show 10]

prints, per family, title, dateline city, agencies, author and date accuracy, and the
datelines invented on stories without one. Dates are scored twice: with the file time
set to the source's own date, and set to an unrelated date (2001-01-01), where only a
date written in the text can be right.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

# Run as a script from a checkout, the project root is not on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.headers import normalize_agency, parse_header  # noqa: E402

CONVERTER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "reuters_to_txt.py"


def file_reference(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)


def dateline_city(dateline: str | None) -> str | None:
    return dateline.split(",")[0].strip() if dateline else None


# The 1987 wire forms that exist publicly only in Reuters-21578, scored apart:
# the first body line of a story, after its title.
REUTERS_FORMS = {
    "credit in brackets, `CHICAGO, Dec 6 (Reuter) -`": re.compile(
        r"^[A-Z][^\n]{0,60}\(Reuters?\)\s*-"
    ),
    "credit after a comma, `ROME, March 13, Reuter -`": re.compile(
        r"^[A-Z][^\n]{0,60}, Reuters?\s*-"
    ),
    "lower case, `peoria, april 7 -`": re.compile(r"^[a-z][a-z .]+, [a-z]+\.? \d+\s*-"),
}


def reuters_form(text: str) -> str | None:
    first_body_line = text.split("\n\n", 1)[-1].lstrip()
    return next((name for name, form in REUTERS_FORMS.items() if form.match(first_body_line)), None)


def evaluate_reuters(directory: Path, show: int) -> int:
    truth_rows = [json.loads(line) for line in (directory / "truth.jsonl").open()]
    failures: dict[str, list[str]] = {"title": [], "dateline": [], "date": []}
    by_form: dict[str, list[int]] = {name: [0, 0] for name in REUTERS_FORMS}  # stories, all right
    for truth in truth_rows:
        path = directory / truth["file"]
        text = path.read_text(encoding="utf-8")
        header = parse_header(text, file_reference(path))
        got = {
            "title": header.title,
            "dateline": dateline_city(header.dateline),
            "date": header.published_date.isoformat() if header.published_date else None,
        }
        expected = {
            "title": truth["title"],
            "dateline": truth["dateline_city"],
            "date": truth["expected_date"],
        }
        for field, wanted in expected.items():
            if got[field] != wanted:
                failures[field].append(f"{truth['file']}: expected {wanted!r}, got {got[field]!r}")
        form = reuters_form(text)
        if form is not None:
            by_form[form][0] += 1
            by_form[form][1] += got == expected
    total = len(truth_rows)
    for field, failed in failures.items():
        correct = total - len(failed)
        print(f"{field:9s} {correct}/{total} = {correct / total:.2%}")
    for form, (stories, right) in by_form.items():
        score = f"{right / stories:.3f}" if stories else "-"
        print(f"  {form}: {stories} stories, title+city+date all right {score}")
    for field, failed in failures.items():
        for line in failed[:show]:
            print(f"  {field} {line}")
    return 0 if all(len(failed) <= total // 100 for failed in failures.values()) else 1


def evaluate_bbc(directory: Path, show: int) -> int:
    paths = sorted(directory.glob("*/*.txt"))
    titled = bodies = 0
    datelines: list[str] = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        first_line, _, rest = text.partition("\n")
        header = parse_header(text)
        titled += header.title == first_line.strip()
        bodies += header.body == rest.lstrip()
        if header.dateline is not None:
            datelines.append(f"{path.relative_to(directory)}: {header.dateline!r}")
    print(f"articles      {len(paths)}")
    print(f"title found   {titled}")
    print(f"body = text after the title: {bodies}")
    print(f"datelines     {len(datelines)} (none expected)")
    for line in datelines[:show]:
        print(f"  {line}")
    return 0 if titled == bodies == len(paths) and not datelines else 1


DEVSET = Path(__file__).resolve().parent / "devsets" / "headers"
UNRELATED_FILE_TIME = datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC)
DEVSET_FIELDS = ("title", "city", "agencies", "author", "date", "date_unrelated")


def _reference(record: dict) -> datetime.datetime | None:
    if not record.get("reference"):
        return None
    moment = datetime.datetime.fromisoformat(record["reference"])
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def score_devset_record(record: dict) -> dict[str, tuple[object, object]]:
    """field -> (expected, got) for every field the record's truth scores."""
    truth, unscored = record["truth"], set(record.get("unscored", ()))
    header = parse_header(record["text"], _reference(record))
    unrelated = parse_header(record["text"], UNRELATED_FILE_TIME)
    scored = {
        "title": (truth["title"], header.title),
        # A dateline with no place (`(CNN) --`, `October 14, 2004 -`) names no city.
        "city": (truth["city"], dateline_city(header.dateline) if header.place else None),
        # Agencies are compared as the parser spells known ones (`XINHUA` -> `Xinhua`).
        "agencies": (
            # One agency credited twice (`Canadian Press - OTTAWA (CP) -`) is one agency.
            sorted({normalize_agency(name) for name in truth["agencies"]}),
            sorted(set(header.agencies)),
        ),
    }
    if truth.get("author"):
        # `AND` or `and` between two names is the same byline.
        scored["author"] = (truth["author"].casefold(), (header.author or "").casefold() or None)
    if truth.get("date") and "date" not in unscored:
        scored["date"] = (truth["date"], _iso(header.published_date))
        if truth["date"][:4] in (truth["dateline"] or ""):
            # Only a dateline that writes the year can beat an unrelated file time.
            scored["date_unrelated"] = (truth["date"], _iso(unrelated.published_date))
    return {field: pair for field, pair in scored.items() if field not in unscored}


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def evaluate_devset(directory: Path, families: list[str] | None, show: int) -> int:
    records = [
        json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.open()
    ]
    if families:
        records = [record for record in records if record["family"] in families]
    by_family: dict[str, list[dict]] = {}
    for record in records:
        by_family.setdefault(record["family"], []).append(record)
    print(f"{'family':20s} {'n':>4s} " + " ".join(f"{field:>14s}" for field in DEVSET_FIELDS))
    failures = []
    invented = 0
    for family, members in sorted(by_family.items()):
        right: dict[str, list[int]] = {field: [0, 0] for field in DEVSET_FIELDS}
        for record in members:
            for field, (expected, got) in score_devset_record(record).items():
                right[field][1] += 1
                right[field][0] += expected == got
                if expected != got:
                    failures.append(f"{record['id']} {field}: expected {expected!r}, got {got!r}")
                    invented += field == "city" and expected is None
        cells = [
            f"{correct / total:8.3f} {total:>5d}" if total else f"{'-':>14s}"
            for correct, total in right.values()
        ]
        print(f"{family:20s} {len(members):4d} " + " ".join(cells))
    print(f"datelines invented on stories without one: {invented}")
    for line in failures[:show]:
        print(f"  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus", choices=["reuters", "bbc", "devset"], help="which corpus DIR holds"
    )
    parser.add_argument(
        "directory", type=Path, nargs="?", default=DEVSET, help="the article files (and truth)"
    )
    parser.add_argument("--family", action="append", help="devset only: these families")
    parser.add_argument(
        "--convert",
        type=Path,
        metavar="SGM_DIR",
        help="reuters only: first write DIR from the Reuters-21578 .sgm files in SGM_DIR",
    )
    parser.add_argument("--show", type=int, default=50, help="failures listed per field")
    args = parser.parse_args(argv)
    if args.convert:
        command = [sys.executable, str(CONVERTER), str(args.convert), str(args.directory)]
        subprocess.run(command, check=True)
    if args.corpus == "devset":
        return evaluate_devset(args.directory, args.family, args.show)
    if args.corpus == "reuters":
        return evaluate_reuters(args.directory, args.show)
    return evaluate_bbc(args.directory, args.show)


if __name__ == "__main__":
    sys.exit(main())
