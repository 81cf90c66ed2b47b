"""Measure `transforms.headers.parse_header` against two corpora.

Reuters-21578 as wire files (title, blank line, `SALVADOR, Feb 26 - body`), each file's
mtime set to the story's date, with what the SGML says in truth.jsonl; made with
../shared/tools/reuters_to_txt.py, or by this script given --convert:

    python bench/eval_headers.py reuters reuters-txt \\
        --convert ../shared/corpus/reuters-dev

Title, dateline city and published date are compared to the truth. The city is the
dateline as parsed up to its first comma (`CLEVELAND, Ohio` -> `CLEVELAND`), compared
exactly, case included, since the truth keeps the city as written (`NEW YORK`, `Toronto`).

The BBC corpus (title line, blank line, body; no datelines):

    python bench/eval_headers.py bbc ../shared/corpus/bbc

counts the articles whose title and body come out as written, and lists every dateline
found, each of them invented.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

# Run as a script from a checkout, the project root is not on sys.path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.headers import parse_header  # noqa: E402

CONVERTER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "reuters_to_txt.py"


def file_reference(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)


def dateline_city(dateline: str | None) -> str | None:
    return dateline.split(",")[0].strip() if dateline else None


def evaluate_reuters(directory: Path, show: int) -> int:
    truth_rows = [json.loads(line) for line in (directory / "truth.jsonl").open()]
    failures: dict[str, list[str]] = {"title": [], "dateline": [], "date": []}
    for truth in truth_rows:
        path = directory / truth["file"]
        header = parse_header(path.read_text(encoding="utf-8"), file_reference(path))
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
    total = len(truth_rows)
    for field, failed in failures.items():
        correct = total - len(failed)
        print(f"{field:9s} {correct}/{total} = {correct / total:.2%}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", choices=["reuters", "bbc"], help="which corpus DIR holds")
    parser.add_argument("directory", type=Path, help="the article files (and truth.jsonl)")
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
    if args.corpus == "reuters":
        return evaluate_reuters(args.directory, args.show)
    return evaluate_bbc(args.directory, args.show)


if __name__ == "__main__":
    sys.exit(main())
