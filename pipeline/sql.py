"""`dateline sql OUTPUT [QUERY]`: DuckDB over a dateline dataset, local or any fsspec URL.

    dateline sql out "SELECT name, count(*) FROM entities WHERE label = 'PERSON' GROUP BY 1"
    dateline sql gs://news/out --storage_option token=anon --format csv "SELECT ..."
    dateline sql out                      # lists the views and their columns

The views `articles`, `mentions`, `entities`, `errors` and `person_names` read
exactly the files of the dataset's newest commit (every Parquet file, for
outputs written before the commit log), with Hive partitions typed: `date` is a
DATE (NULL for `__HIVE_DEFAULT_PARTITION__`, and for 0.1's `date=unknown`),
`ingest_date` and `period` DATEs. The view `people` is the PERSON entities with
`person_id`, the id that counts a person once across articles.
"""

import argparse
import csv
import io
import json
import sys

import duckdb
from fsspec.implementations.local import LocalFileSystem

from pipeline.options import dataset_parser, merge_storage_options
from schemas import tables
from transforms import dataset_log, storage
from transforms.link_people import PEOPLE_VIEW_SQL

# Views derived from the tables, listed after them.
DERIVED_VIEWS = ("people",)

FORMATS = ("table", "csv", "json")
MAX_CELL_WIDTH = 60


class DatasetError(ValueError):
    """The OUTPUT given is not a readable dateline dataset."""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _view_sql(table: tables.Table, files: list[str]) -> str:
    # Partition values read as text and cast here, so the NULL folder of 0.1
    # outputs (`date=unknown`) reads as NULL like `__HIVE_DEFAULT_PARTITION__`.
    column = table.partition_column
    listed = "[" + ", ".join(_quoted(file) for file in files) + "]"
    return (
        f"CREATE VIEW {table.name} AS SELECT * REPLACE (TRY_CAST({column} AS DATE) AS {column}) "
        f"FROM read_parquet({listed}, hive_partitioning = true, union_by_name = true, "
        f"hive_types = {{'{column}': 'VARCHAR'}})"
    )


def table_files(output: str, storage_options: dict | None) -> dict[str, list[str]]:
    """The files of each table: the newest commit's, or every Parquet file of a 0.1 output."""
    if dataset_log.has_log(output, storage_options):
        snapshot = dataset_log.load_snapshot(output, storage_options)
        return {
            name: [
                snapshot.readable_url(file.path, storage_options)
                for file in snapshot.files_of(name)
            ]
            for name in tables.TABLES
        }
    return {
        name: storage.glob(storage.join(output, table.folder, "**", "*.parquet"), storage_options)
        for name, table in tables.TABLES.items()
    }


def open_dataset(output: str, storage_options: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per table of the dataset at `output`."""
    fs, root = storage.filesystem(output, storage_options)
    con = duckdb.connect()
    if not isinstance(fs, LocalFileSystem):
        # DuckDB reads through the same fsspec filesystem (and its options) the
        # pipeline wrote with, instead of trying to download its httpfs extension.
        con.register_filesystem(fs)
    found = []
    files_by_table = table_files(output, storage_options)
    for table in tables.TABLES.values():
        files = files_by_table[table.name]
        if files:
            con.execute(_view_sql(table, files))
            found.append(table.name)
        else:
            # A table with no files yet is still queryable, with its typed columns.
            empty = tables.to_record_batch(table, [])
            con.register(f"_{table.name}_empty", empty)
            con.execute(
                f"CREATE VIEW {table.name} AS SELECT *, "
                f"CAST(NULL AS DATE) AS {table.partition_column} FROM _{table.name}_empty"
            )
    if not found:
        raise DatasetError(
            f"no dateline dataset at {output}: none of "
            f"{', '.join(f'{name}/' for name in tables.TABLES)} holds Parquet files "
            f"(looked in {fs.unstrip_protocol(root)})"
        )
    con.execute(PEOPLE_VIEW_SQL)
    return con


def describe(con: duckdb.DuckDBPyConnection) -> str:
    """The views and their columns, for `dateline sql OUTPUT` without a query."""
    lines = []
    for name in (*tables.TABLES, *DERIVED_VIEWS):
        columns = con.execute(f"DESCRIBE {name}").fetchall()
        (count,) = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        lines.append(f"{name} ({count} rows)")
        lines += [f"  {column[0]:<18} {column[1]}" for column in columns]
    return "\n".join(lines)


def _text(value) -> str:
    """A value as text; lists, maps and structs as JSON (`["TASS"]`, not `['TASS']`)."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _cell(value) -> str:
    text = "NULL" if value is None else _text(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL_WIDTH else text[: MAX_CELL_WIDTH - 1] + "…"


def format_table(names: list[str], rows: list[tuple]) -> str:
    """A plain aligned table: header, rule, rows, and a row count."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(names)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def format_rows(names: list[str], rows: list[tuple], output_format: str) -> str:
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([None if value is None else _text(value) for value in row] for row in rows)
        return buffer.getvalue().rstrip("\n")
    if output_format == "json":
        records = [dict(zip(names, row, strict=True)) for row in rows]
        return json.dumps(records, indent=2, default=str, ensure_ascii=False)
    return format_table(names, rows)


def query(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description or []]
    return names, cursor.fetchall() if names else []


def parser() -> argparse.ArgumentParser:
    result = dataset_parser(
        "dateline sql",
        "Query a dateline dataset with DuckDB. Views: articles, mentions, "
        "entities, errors, person_names, people. Without QUERY, lists the views and their "
        "columns.",
    )
    result.add_argument("query", nargs="?", default=None, help="SQL to run. Default: none.")
    result.add_argument(
        "--format", choices=FORMATS, default="table", help="How to print rows. Default: table."
    )
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_intermixed_args(argv)
    try:
        storage_options = merge_storage_options(args.storage_options)
        con = open_dataset(args.output, storage_options)
        if args.query is None:
            print(describe(con))
            return 0
        names, rows = query(con, args.query)
    except (ValueError, duckdb.Error, OSError) as error:
        print(f"dateline sql: error: {error}", file=sys.stderr)
        return 2
    print(format_rows(names, rows, args.format))
    return 0
