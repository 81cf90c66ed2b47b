"""`dateline compact OUTPUT`: merge small Parquet files into fewer, as one commit.

    dateline compact out
    dateline compact gs://news/out --storage_option token=anon --max_rows_per_file 200000

Safe while runs are ingesting: it commits like a run and re-plans on conflict.
"""

import argparse
import sys

from pipeline.options import dataset_parser, merge_storage_options
from transforms import compaction, dataset_log


def parser() -> argparse.ArgumentParser:
    result = dataset_parser(
        "dateline compact",
        "Merge each partition's small files (and the ledger) into files of up to "
        "--max_rows_per_file rows, as one commit; write a log checkpoint; remove staging "
        "folders of runs that died.",
    )
    result.add_argument(
        "--max_rows_per_file",
        type=int,
        default=100_000,
        metavar="N",
        help="Files with fewer rows are merged, into files of up to N rows. Default: 100000.",
    )
    result.add_argument(
        "--staging_max_age_hours",
        type=float,
        default=compaction.STAGING_MAX_AGE_HOURS,
        metavar="H",
        help="Staging folders untouched for H hours belong to runs that died and are "
        f"removed. Default: {compaction.STAGING_MAX_AGE_HOURS:g}.",
    )
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.max_rows_per_file < 1:
        print("dateline compact: error: --max_rows_per_file must be at least 1", file=sys.stderr)
        return 2
    try:
        storage_options = merge_storage_options(args.storage_options)
        if not dataset_log.has_log(args.output, storage_options):
            raise ValueError(f"no dateline commit log at {args.output}")
        result = compaction.compact(
            args.output, storage_options, args.max_rows_per_file, args.staging_max_age_hours
        )
    except (ValueError, OSError) as error:
        print(f"dateline compact: error: {error}", file=sys.stderr)
        return 2
    committed = f"commit {result.version}" if result.version else "nothing to merge"
    print(f"{args.output}: {result.files_before} -> {result.files_after} files ({committed})")
    return 0
