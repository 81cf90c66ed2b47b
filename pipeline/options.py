"""The options of a dateline run; every flag has a type, a default and help.

Any other Beam pipeline option (`--runner`, `--direct_num_workers`,
`--project`, `--region`, `--temp_location`, ...) passes through unchanged.
"""

import argparse
import json

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.language import parse_language_models
from transforms.nlp import MODEL_NAME


def parse_storage_option(value: str) -> dict:
    """`endpoint_url=http://127.0.0.1:4443` or a JSON object -> a dict of options.

    KEY=VALUE values that look like JSON scalars (`true`, `3`) are decoded, so
    `--storage_option use_ssl=false` reaches the filesystem as a boolean.
    """
    value = value.strip()
    if value.startswith("{"):
        options = json.loads(value)
        if not isinstance(options, dict):
            raise ValueError(f"--storage_option JSON must be an object, got {value!r}")
        return options
    key, separator, raw = value.partition("=")
    if not separator or not key:
        raise ValueError(f"--storage_option must be KEY=VALUE or a JSON object, got {value!r}")
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError:
        decoded = raw
    return {key: decoded if isinstance(decoded, (bool, int, float)) else raw}


def merge_storage_options(values: list[str] | None) -> dict:
    """Repeated `--storage_option` values as one dict; later values win."""
    merged = {}
    for value in values or []:
        merged.update(parse_storage_option(value))
    return merged


def dataset_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The parser of a command over one dataset (`sql`, `report`, `compact`): OUTPUT and
    `--storage_option`; each command adds its own options."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("output", help="Dataset root: a local path or URL (gs://, memory://, ...).")
    add_storage_option_argument(parser, "OUTPUT")
    return parser


def add_storage_option_argument(parser, applies_to: str) -> None:
    """The `--storage_option` flag, the same for `run`, `sql` and `inspect`."""
    parser.add_argument(
        "--storage_option",
        dest="storage_options",
        metavar="KEY=VALUE",
        action="append",
        default=None,
        help=f"fsspec storage option for {applies_to}, KEY=VALUE or a JSON object, e.g. "
        "endpoint_url=http://127.0.0.1:4443 or token=anon. Repeatable. Default: none.",
    )


PROGRESS_MODES = ("auto", "log", "off")


class DatelineOptions(PipelineOptions):
    """Inputs, output and tuning of the dateline pipeline."""

    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument(
            "--input",
            dest="inputs",
            metavar="GLOB",
            action="append",
            default=None,
            help="Article files to read: a path, directory, glob or URL (gs://, memory://, "
            "any fsspec protocol). Repeat for several. .gz/.bz2/.xz files are decompressed. "
            "Required.",
        )
        parser.add_argument(
            "--output",
            metavar="DIR",
            default=None,
            help="Dataset root (local path or URL) for the articles, mentions, entities and "
            "errors tables and the run manifests in _runs/. Required.",
        )
        add_storage_option_argument(parser, "inputs and output")
        parser.add_argument(
            "--batch_size",
            metavar="N",
            type=int,
            default=64,
            help="Most articles sent to spaCy in one nlp.pipe call. Default: 64.",
        )
        parser.add_argument(
            "--num_shards",
            metavar="N",
            type=int,
            default=None,
            help="Deprecated, ignored since 0.2: new rows go to new files that roll at "
            "--max_rows_per_file, whatever the shard count. Default: none.",
        )
        parser.add_argument(
            "--max_rows_per_file",
            metavar="N",
            type=int,
            default=100_000,
            help="Most rows in one new Parquet file (files also roll at ~64 MiB of text). "
            "Default: 100000.",
        )
        parser.add_argument(
            "--reprocess",
            action="store_true",
            default=False,
            help="Ingest every matched file again, even those the ledger says were ingested "
            "unchanged (e.g. after a parser upgrade); their rows are replaced. Default: off.",
        )
        parser.add_argument(
            "--allow_empty",
            action="store_true",
            default=False,
            help="Exit 0 when the inputs match no file (a scheduled run over a landing folder "
            "that may be empty). Default: such a batch run exits 1.",
        )
        parser.add_argument(
            "--poll_interval",
            metavar="S",
            type=float,
            default=10.0,
            help="With --streaming: seconds between listings of the inputs. Default: 10.",
        )
        parser.add_argument(
            "--window",
            metavar="S",
            type=float,
            default=10.0,
            help="With --streaming: rows are committed once per window of S seconds. Default: 10.",
        )
        parser.add_argument(
            "--stop_after",
            metavar="S",
            type=float,
            default=None,
            help="With --streaming: stop watching after S seconds (committing what was found). "
            "Default: watch until stopped.",
        )
        parser.add_argument(
            "--model",
            metavar="PACKAGE",
            default=MODEL_NAME,
            help=f"Installed spaCy model package to run NER with. Default: {MODEL_NAME}.",
        )
        parser.add_argument(
            "--language_models",
            metavar="LANG=MODEL,...",
            default=None,
            help="Installed spaCy models for other languages, by ISO 639-1 code, e.g. "
            "fr=fr_core_news_sm,de=de_core_news_sm. Articles in a language no model covers "
            "get no entities. Default: none (only --model's language is annotated).",
        )
        parser.add_argument(
            "--run_id",
            metavar="ID",
            default=None,
            help="Name of this run's manifest in OUTPUT/_runs/. Default: UTC start time "
            "plus a random suffix.",
        )
        parser.add_argument(
            "--progress",
            metavar="MODE",
            default="auto",
            help="Progress of a local run: auto (a live line on a terminal, plain log "
            "lines on stderr otherwise), log (log lines always) or off. Default: auto.",
        )
        parser.add_argument(
            "--places",
            metavar="MODE",
            default="on",
            help="on: resolve every place name to GeoNames (the place columns); off: "
            "leave them NULL (saves the resolution's small cost). Default: on.",
        )
        parser.add_argument(
            "--progress_interval",
            metavar="SECONDS",
            type=float,
            default=30.0,
            help="Seconds between progress log lines (not on a terminal). Default: 30.",
        )

    def storage_options_dict(self) -> dict:
        return merge_storage_options(self.storage_options)

    def language_models_dict(self) -> dict:
        return parse_language_models(self.language_models)

    def validate_dateline(self) -> None:
        """Raise ValueError naming the flag for anything that cannot run."""
        if not self.inputs:
            raise ValueError("--input is required: a path, glob or URL of article files")
        if not self.output:
            raise ValueError("--output is required: where the tables are written")
        if self.batch_size < 1:
            raise ValueError(f"--batch_size must be at least 1, got {self.batch_size}")
        if self.num_shards is not None and self.num_shards < 1:
            raise ValueError(f"--num_shards must be at least 1, got {self.num_shards}")
        if self.max_rows_per_file < 1:
            raise ValueError(
                f"--max_rows_per_file must be at least 1, got {self.max_rows_per_file}"
            )
        if self.progress not in PROGRESS_MODES:
            raise ValueError(
                f"--progress must be one of {', '.join(PROGRESS_MODES)}, got {self.progress!r}"
            )
        if self.places not in ("on", "off"):
            raise ValueError(f"--places must be on or off, got {self.places!r}")
        for flag in ("poll_interval", "window", "progress_interval"):
            if getattr(self, flag) <= 0:
                raise ValueError(f"--{flag} must be positive, got {getattr(self, flag)}")
        if self.stop_after is not None and self.stop_after <= 0:
            raise ValueError(f"--stop_after must be positive, got {self.stop_after}")
        self.storage_options_dict()
        self.language_models_dict()
