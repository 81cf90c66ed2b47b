"""`dateline inspect FILE`: what the decoder and header parser make of one file.

    dateline inspect seeds/000_ecb1709d6c659af1.txt
    dateline inspect gs://news/in/story.txt.gz --storage_option token=anon --json

The tool to reach for when a field in the articles table looks wrong: it
shows every header field, where the date came from, and where the body starts.
"""

import argparse
import dataclasses
import datetime
import json
import sys

from pipeline.options import add_storage_option_argument, merge_storage_options
from transforms import storage
from transforms.decode_text import DecodeError, decode_article_text
from transforms.headers import parse_header

BODY_PREVIEW_CHARS = 160


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="dateline inspect",
        description="Show the header fields the pipeline would extract from one article file.",
    )
    result.add_argument("file", help="Path or URL of one article file (.gz/.bz2 are decompressed).")
    result.add_argument(
        "--reference",
        default=None,
        help="Date reference for year-less datelines, ISO format (e.g. 2018-10-24T09:00Z). "
        "Default: the file's modified time, as in a pipeline run.",
    )
    result.add_argument("--json", action="store_true", help="Print JSON. Default: text.")
    add_storage_option_argument(result, "FILE")
    return result


def _reference(args, source: storage.SourceFile) -> datetime.datetime | None:
    if args.reference is None:
        return source.modified
    moment = datetime.datetime.fromisoformat(args.reference.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def inspect(args) -> dict:
    storage_options = merge_storage_options(args.storage_options)
    sources = storage.expand_input(args.file, storage_options)
    if len(sources) != 1:
        raise FileNotFoundError(f"{args.file} names {len(sources)} files, not one")
    (source,) = sources
    data = storage.read_bytes(source.uri, storage_options, limit=storage.MAX_ARTICLE_BYTES)
    text, encoding, control_chars_removed = decode_article_text(data)
    reference = _reference(args, source)
    header = parse_header(text, reference=reference)
    fields = dataclasses.asdict(header)
    body = fields.pop("body")
    return {
        "file": source.uri,
        "encoding": encoding,
        "control_chars_removed": control_chars_removed,
        "reference": reference.isoformat() if reference else None,
        **fields,
        "body_start": body[:BODY_PREVIEW_CHARS],
        "header_text": text[: header.body_offset],
    }


def _shown(value) -> str:
    """Dates as ISO, lists joined, strings quoted so stray whitespace shows."""
    if value is None:
        return "-"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(value) if value else "-"
    return repr(value) if isinstance(value, str) else str(value)


def as_text(report: dict) -> str:
    width = max(len(key) for key in report)
    return "\n".join(f"{key:<{width}}  {_shown(value)}" for key, value in report.items())


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = inspect(args)
    except (OSError, DecodeError, ValueError) as error:
        print(f"dateline inspect: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2, default=str) if args.json else as_text(report))
    return 0
