"""`dateline sql`: formatting, views over a dataset, and clear errors."""

import json

import pytest

from pipeline import sql
from tests.conftest import run_cli


def test_table_format_aligns_and_counts_rows():
    text = sql.format_table(["name", "n"], [("John Bolton", 3), (None, 10)])
    assert text.splitlines() == [
        "name         n",
        "-----------  --",
        "John Bolton  3",
        "NULL         10",
        "(2 rows)",
    ]


def test_long_cells_are_cut_and_newlines_flattened():
    (line,) = sql.format_table(["body"], [("a\nb" + "x" * 100,)]).splitlines()[2:3]
    assert line.startswith("a b")
    assert line.endswith("…")
    assert len(line) == sql.MAX_CELL_WIDTH


def test_csv_and_json_formats():
    assert sql.format_rows(["a", "b"], [(1, "x,y")], "csv") == 'a,b\n1,"x,y"'
    assert json.loads(sql.format_rows(["a"], [(1,)], "json")) == [{"a": 1}]


def test_lists_and_structs_print_as_json_in_csv_and_tables():
    rows = [(["TASS", "Reuters"], {"city": "Moscow", "n": 2}, None)]
    csv_text = sql.format_rows(["agencies", "place", "none"], rows, "csv")
    assert (
        csv_text.splitlines()[1] == '"[""TASS"", ""Reuters""]","{""city"": ""Moscow"", ""n"": 2}",'
    )
    table = sql.format_rows(["agencies", "place", "none"], rows, "table")
    assert '["TASS", "Reuters"]' in table and "NULL" in table


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(sql.DatasetError, match="no dateline dataset"):
        sql.open_dataset(str(tmp_path))


@pytest.mark.slow
def test_describe_lists_every_view_with_typed_partitions(seeds_run):
    _, output, _ = seeds_run
    completed = run_cli("sql", str(output))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    for header in ("articles (3 rows)", "mentions (", "entities (", "errors (0 rows)"):
        assert any(line.startswith(header) for line in lines), header
    assert "  date               DATE" in lines
    assert "  ingest_date        DATE" in lines


@pytest.mark.slow
def test_query_in_json_and_a_bad_query(seeds_run):
    _, output, _ = seeds_run
    completed = run_cli(
        "sql",
        str(output),
        "--format",
        "json",
        "SELECT count(*) AS n FROM articles WHERE date IS NOT NULL",
    )
    assert json.loads(completed.stdout) == [{"n": 3}]
    completed = run_cli("sql", str(output), "SELECT nope FROM articles")
    assert completed.returncode == 2
    assert "dateline sql: error:" in completed.stderr


def test_missing_dataset_from_the_command_line(tmp_path):
    completed = run_cli("sql", str(tmp_path / "nowhere"), "SELECT 1")
    assert completed.returncode == 2
    assert "no dateline dataset" in completed.stderr


def _legacy_output(root):
    """A dataset as dateline 0.1 wrote it: no commit log, undated rows in `date=unknown`."""
    import datetime

    import pyarrow.parquet as pq

    from schemas import tables
    from transforms import table_files

    moment = datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
    article = tables.ArticleRow(
        "id-1", "file:///in/a.txt", 10, None, "utf-8", None, None, None, None, None, None,
        [], None, None, "none", "Body.", 1, 0, 0, moment, "0.1.0",
    )  # fmt: skip
    folder = root / "articles" / "date=unknown"
    folder.mkdir(parents=True)
    pq.write_table(
        table_files.rows_table(tables.ARTICLES, [article]), folder / "part-00000-a.parquet"
    )


def test_outputs_of_0_1_still_read_with_undated_rows_as_null(tmp_path):
    _legacy_output(tmp_path)
    con = sql.open_dataset(str(tmp_path))
    assert sql.query(
        con, "SELECT count(*), count(date), typeof(any_value(date)) FROM articles"
    ) == (
        ["count_star()", "count(date)", "typeof(any_value(date))"],
        [(1, 0, "DATE")],
    )


def test_a_run_into_a_0_1_output_stops_in_one_line(tmp_path):
    _legacy_output(tmp_path / "old")
    completed = run_cli(
        "run", "--input", str(tmp_path / "none-*"), "--output", str(tmp_path / "old")
    )
    assert completed.returncode == 2
    (line,) = completed.stderr.strip().splitlines()
    assert "written by dateline 0.1" in line and "--output" in line
