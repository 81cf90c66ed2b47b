"""One 5-million-character article through `dateline run`: time, memory, entities.

    python bench/long_article.py [--characters 5000000]

Joins BBC stories (`../shared/corpus/bbc`) under one title into a single file
of `--characters` characters (five times spaCy's `max_length`), ingests it
with `dateline run`, and against a run over one ordinary story measured in the
same run prints wall time, peak RSS (process tree) and, from the tables with
DuckDB, the article's mentions and how many lie past its 4-millionth character.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_copies import bbc_stories  # noqa: E402
from process_tree import dateline_run  # noqa: E402


def long_text(characters: int) -> str:
    parts, size = ["An archive of a year of BBC stories\n\n"], 0
    stories = bbc_stories()
    while size < characters:
        body = stories[len(parts) % len(stories)].read_text(encoding="utf-8", errors="replace")
        parts.append(body.strip() + "\n\n")
        size += len(parts[-1])
    return "".join(parts)[:characters]


def ingest(path: Path, output: Path) -> tuple[float, float]:
    return dateline_run(["--input", str(path), "--output", str(output)])


def mention_figures(output: Path) -> tuple[int, int, int, int]:
    """(body characters, mentions, mentions past character 4M, largest start_char)."""
    con = duckdb.connect()
    mentions = f"read_parquet('{output}/mentions/**/*.parquet', hive_partitioning=true)"
    articles = f"read_parquet('{output}/articles/**/*.parquet', hive_partitioning=true)"
    (body,) = con.execute(f"SELECT max(length(body)) FROM {articles}").fetchone()
    count, past, last = con.execute(
        f"SELECT count(*), count(*) FILTER (start_char > 4000000), max(start_char) FROM {mentions}"
    ).fetchone()
    return body, count, past, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=5_000_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-long-"))
    try:
        ordinary = base / "ordinary.txt"
        shutil.copy(bbc_stories()[0], ordinary)
        long = base / "long.txt"
        long.write_text(long_text(args.characters), encoding="utf-8")
        base_seconds, base_peak = ingest(ordinary, base / "out-ordinary")
        seconds, peak = ingest(long, base / "out-long")
        body, count, past, last = mention_figures(base / "out-long")
        print(f"one ordinary story: {base_seconds:6.1f} s, peak RSS {base_peak:5.0f} MiB")
        print(f"one {args.characters:,}-character story: {seconds:6.1f} s, ", end="")
        print(f"peak RSS {peak:5.0f} MiB")
        print(f"  body {body:,} characters, {count:,} mentions, {past:,} past character 4M")
        print(f"  last mention starts at character {last:,}; peak RSS {peak / base_peak:.2f}x")
    finally:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
