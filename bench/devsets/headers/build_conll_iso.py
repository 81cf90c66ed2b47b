"""Write `conll_iso.jsonl` from the AIDA CoNLL-YAGO gold set (`../entities/gold.jsonl`).

    python bench/devsets/headers/build_conll_iso.py

CoNLL-2003 text is Reuters RCV1, which may not be redistributed, so this family is
built locally rather than committed: first `bench/devsets/entities/build_gold.py`
(see that folder's README), then this script.

Truth comes from CoNLL's document layout: sentence 1 is the title; sentence 2 is the
dateline, or sentence 3 when sentence 2 is nothing but one PER mention (the author,
`Peter Blackburn`); the dateline sentence must end with an ISO date, which is the
story's date. Documents with anything else between title and dateline
(`[ CORRECTED 14:06 GMT ]`) or a city not in upper case
are left out. The body keeps its first ~600 characters.
A byline that CoNLL joined to the dateline sentence is put on a line of its own.
"""

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent / "entities" / "gold.jsonl"
DATELINE = re.compile(r"(?P<place>\S.*?) (?P<date>\d{4}-\d\d-\d\d)")
BODY_CHARS = 600


def story(document: dict) -> dict | None:
    lines = document["text"].split("\n")
    if len(lines) < 4 or lines[1]:
        return None
    title, author, at = lines[0], None, 2
    line_start = len(title) + 2
    people = {(m["start"], m["end"]) for m in document["mentions"] if m["type"] == "PER"}
    if (line_start, line_start + len(lines[2])) in people:
        author, at = lines[2], 3
    else:
        # CoNLL sometimes makes byline and dateline one sentence (`K.T. Arasu JAKARTA
        # 1996-12-06`): the author is the PER mention that opens it, on a line of its own.
        opening = [end for start, end in people if start == line_start]
        rest = lines[2][opening[0] - line_start :].strip() if opening else ""
        named = lines[2][: len(lines[2]) - len(rest)]
        if DATELINE.fullmatch(rest) and any(letter.islower() for letter in named):
            author = lines[2][: opening[0] - line_start]
            lines[2:3] = [author, lines[2][opening[0] - line_start :].strip()]
            at = 3
    dateline = DATELINE.fullmatch(lines[at]) if at < len(lines) else None
    if dateline is None or not dateline["place"].split(",")[0].isupper():
        return None  # RCV1's cities are upper case: `K.T. Arasu JAKARTA` is CoNLL's mix
    body = " ".join(lines[at + 1 :])[:BODY_CHARS]
    header = [title, ""] + ([author] if author else []) + [lines[at]]
    return {
        "id": f"conll2003:{document['doc_id']}",
        "family": "conll_iso",
        "source": "CoNLL-2003 via bench/devsets/entities/gold.jsonl (" + document["aida_id"] + ")",
        "text": "\n".join(header) + "\n" + body,
        "truth": {
            "title": title,
            "dateline": lines[at],
            "city": dateline["place"].split(",")[0].strip(),
            "agencies": [],
            "date": dateline["date"],
            "author": author,
        },
        "reference": None,
    }


def main() -> None:
    stories = [story(json.loads(line)) for line in GOLD.open(encoding="utf-8")]
    kept = [record for record in stories if record is not None]
    with (HERE / "conll_iso.jsonl").open("w", encoding="utf-8") as out:
        for record in kept:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(kept)} of {len(stories)} documents written to conll_iso.jsonl")


if __name__ == "__main__":
    main()
