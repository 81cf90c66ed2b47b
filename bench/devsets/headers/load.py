"""Load the header development set: real story openings with truth from each source's structure.

    from bench.devsets.headers.load import load, families
    stories = load()                      # every family
    ap = load("ap_underscore")            # one family
    both = load(["cnn_lead", "no_dateline"])

Each record is a dict:
    id, family, source   where the story comes from (public repo:path@commit)
    text                 the story as a raw article file would hold it (title, blank line, opening)
    truth                {title, dateline, city, agencies, date, author}
    reference            ISO date/datetime from the source's metadata, or None; pass it as
                         `reference_datetime` when the text's own date has no year or is absent
    unscored             optional list of truth fields that cannot be established (e.g. ["date"])
and, for some families, extra provenance fields (separator, url, preamble, ...). See README.md.
Standard library only.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def families() -> list[str]:
    """The family names, one per JSONL file in this folder."""
    return sorted(p.stem for p in HERE.glob("*.jsonl"))


def load(family: str | list[str] | tuple[str, ...] | None = None) -> list[dict]:
    """Read the records of one family, several, or all (None), in file order."""
    if family is None:
        names = families()
    elif isinstance(family, str):
        names = [family]
    else:
        names = list(family)
    records: list[dict] = []
    for name in names:
        path = HERE / f"{name}.jsonl"
        if not path.exists():
            raise ValueError(f"unknown family {name!r}; known: {', '.join(families())}")
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    records.append(json.loads(line))
    return records


if __name__ == "__main__":
    for name in families():
        print(f"{name:20s} {len(load(name)):5d}")
