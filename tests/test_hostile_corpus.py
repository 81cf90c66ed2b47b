"""A hostile corpus, generated here, through the CLI: every bad file accounted for,
every good article written once, nothing written outside the output."""

import codecs
import gzip
import json
import re
from pathlib import Path

import duckdb

from tests.conftest import copy_seeds, gzip_bomb, run_cli

GOOD_HOSTILE_TEXTS = {
    # Header fields that look like paths must never choose where files go.
    "dots.txt": "Breaking news\n\n../../ETC (AP/../x=1) _ Officials in Paris said on Monday "
    "that the plan would go ahead, Emmanuel Macron told reporters.",
    "slashes.txt": "A/B=C report\n\nNEW YORK/../date=1999-01-01, March 3, 2015 (Reuters) - "
    "Shares rose in New York, said Janet Yellen.",
    "controls.txt": "Title\x00here\x07 with a bell\n\nLONDON (Reuters) - Boris Johnson\x1b spoke "
    "in London on Tuesday about the economy\x00 and the budget for next year.",
    "one-line.txt": "WASHINGTON (AP) - " + "Joe Biden spoke. " * 2_000,
    "latin1.txt": None,  # written below in Latin-1
    "utf16.txt": None,  # written below as UTF-16 with a BOM
}


def hostile_corpus(folder: Path) -> dict[str, str]:
    """Writes the corpus; returns name -> expected error_class for the bad files."""
    copy_seeds(folder)
    for name, text in GOOD_HOSTILE_TEXTS.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    (folder / "latin1.txt").write_bytes(
        "ZÜRICH, Feb 3 - Die Nationalbank hat den Leitzins unverändert gelassen, sagte "
        "Präsident Thomas Jordan.".encode("latin-1")
    )
    (folder / "utf16.txt").write_bytes(
        codecs.BOM_UTF16_LE + "TOKYO (Kyodo) - Shinzo Abe visited Osaka.".encode("utf-16-le")
    )
    (folder / "seed-copy.txt").write_bytes((folder / "001_557d3ff9d594c1ed.txt").read_bytes())
    bad = {
        "empty.txt": "EmptyContent",
        "blank.txt": "EmptyContent",
        "logo.png": "BinaryContent",
        "nul-heavy.txt": "BinaryContent",
        "truncated.txt.gz": "EOFError",
        "garbage.txt.gz": "BadGzipFile",
        "bomb.txt.gz": "FileTooLarge",
        "dangling.txt": "FileNotFoundError",
        "seed-copy.txt": "DuplicateArticle",
    }
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \n\t\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    (folder / "nul-heavy.txt").write_bytes(b"ab\x00\x01\x02" * 400)
    (folder / "truncated.txt.gz").write_bytes(gzip.compress(b"PARIS (AFP) - " * 50)[:30])
    (folder / "garbage.txt.gz").write_bytes(b"this is not gzip at all")
    gzip_bomb(folder / "bomb.txt.gz", gigabytes=10)
    (folder / "dangling.txt").symlink_to(folder / "gone-before-it-was-read.txt")
    # Skipped, not counted: hidden and `_` names, as a landing folder holds them.
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / "_SUCCESS").write_bytes(b"")
    return bad


def test_a_hostile_corpus_is_accounted_for_and_writes_nothing_outside(tmp_path):
    inputs = tmp_path / "in"
    bad = hostile_corpus(inputs)
    before = {path for path in tmp_path.rglob("*")}
    output = tmp_path / "out"
    completed = run_cli("run", "--input", str(inputs), "--output", str(output))
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr

    outside = {path for path in tmp_path.rglob("*") if output not in (path, *path.parents)}
    assert outside == before
    con = duckdb.connect()

    def rows(table):
        pattern = f"{output}/{table}/**/*.parquet"
        return con.sql(
            f"SELECT * FROM read_parquet('{pattern}', hive_partitioning=true, union_by_name=true)"
        )

    errors = {
        uri.rsplit("/", 1)[1]: error_class
        for uri, error_class in rows("errors").select("source_uri, error_class").fetchall()
    }
    assert errors == bad
    ((dangling_size,),) = (
        rows("errors").filter("source_uri LIKE '%dangling.txt'").select("source_size").fetchall()
    )
    assert dangling_size is None
    articles = rows("articles").select("article_id, source_uri").fetchall()
    good = 3 + len(GOOD_HOSTILE_TEXTS)
    assert len(articles) == good
    assert len({article_id for article_id, _ in articles}) == good
    manifest = json.loads(next((output / "_runs").glob("*.json")).read_text())
    assert manifest["input_files"] == good + len(bad) == len(articles) + len(errors)
    assert manifest["all_inputs_accounted"]
    summary = r"errors +9  \(decode_text: 4, deduplicate: 1, read: 4\)"
    assert re.search(summary, completed.stdout), completed.stdout
    removed = dict(
        rows("articles")
        .filter("control_chars_removed > 0")
        .select("regexp_extract(source_uri, '[^/]+$'), control_chars_removed")
        .fetchall()
    )
    assert removed == {"controls.txt": 4}

    # Partitions come from parsed dates only: every data file sits in a folder the
    # layout names, whatever the datelines and credits said.
    for path in output.rglob("*.parquet"):
        relative = path.relative_to(output).parts
        if relative[0] == "_dateline":
            continue
        assert relative[0] in {"articles", "mentions", "entities", "errors", "person_names"}
        assert len(relative) == 3
        key, value = relative[1].split("=")
        assert key in {"date", "ingest_date", "period"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|__HIVE_DEFAULT_PARTITION__", value)
