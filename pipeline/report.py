"""`dateline report OUTPUT --html FILE`: a dataset's charts on one self-contained page.

    dateline report out --html report.html
    dateline report gs://news/out --storage_option token=anon --html report.html

The page reads the tables through the same views as `dateline sql` (the
newest commit's files) and needs no network to view: plotly's JavaScript is
in it (about 4.7 MB). The charts are in `pipeline/report_charts.py`.
"""

import argparse
import datetime
import sys
from pathlib import Path

import duckdb

from pipeline import report_charts, sql
from pipeline.options import dataset_parser, merge_storage_options


def parser() -> argparse.ArgumentParser:
    result = dataset_parser(
        "dateline report",
        "Write a self-contained HTML page of charts about a dateline dataset: "
        "articles per day, agency and place; top people, organisations and places; who "
        "appears with whom; mentions over time; errors by stage and reason.",
    )
    result.add_argument("--html", metavar="FILE", required=True, help="The page to write.")
    result.add_argument(
        "--title", default=None, help="The page's title. Default: 'dateline report: OUTPUT'."
    )
    return result


def check_page_path(path: Path) -> None:
    if path.is_dir():
        raise ValueError(f"--html {path} is a directory; name the file to write")
    if not path.parent.is_dir():
        raise ValueError(f"--html {path}: the folder {path.parent} does not exist")


def write_report(output: str, page: Path, storage_options: dict, title: str | None):
    """Writes the page; returns (charts with something to draw, charts)."""
    con = sql.open_dataset(output, storage_options)
    charts = report_charts.charts(con)
    made = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = report_charts.build_page(
        title or f"dateline report: {output}",
        f"{output}, newest commit, read {made}",
        report_charts.totals(con),
        charts,
    )
    page.write_text(html, encoding="utf-8")
    return sum(chart.figure is not None for chart in charts), len(charts)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    page = Path(args.html)
    try:
        check_page_path(page)
        storage_options = merge_storage_options(args.storage_options)
        drawn, shown = write_report(args.output, page, storage_options, args.title)
    except (ValueError, duckdb.Error, OSError) as error:
        print(f"dateline report: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {page}: {drawn} of {shown} charts drawn, the others have nothing to show")
    return 0
