"""The options of a dateline run; every flag has a type, a default and help.

Any other Beam pipeline option (`--runner`, `--direct_num_workers`,
`--project`, `--region`, `--temp_location`, ...) passes through unchanged.
"""

import json

from apache_beam.options.pipeline_options import PipelineOptions

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
            default=1,
            help="Parquet files per table partition; raise it for very large partitions, and "
            "keep it the same for an output. Default: 1.",
        )
        parser.add_argument(
            "--model",
            metavar="PACKAGE",
            default=MODEL_NAME,
            help=f"Installed spaCy model package to run NER with. Default: {MODEL_NAME}.",
        )
        parser.add_argument(
            "--run_id",
            metavar="ID",
            default=None,
            help="Name of this run's manifest in OUTPUT/_runs/. Default: UTC start time "
            "plus a random suffix.",
        )

    def storage_options_dict(self) -> dict:
        return merge_storage_options(self.storage_options)

    def validate_dateline(self) -> None:
        """Raise ValueError naming the flag for anything that cannot run."""
        if not self.inputs:
            raise ValueError("--input is required: a path, glob or URL of article files")
        if not self.output:
            raise ValueError("--output is required: where the tables are written")
        if self.batch_size < 1:
            raise ValueError(f"--batch_size must be at least 1, got {self.batch_size}")
        if self.num_shards < 1:
            raise ValueError(f"--num_shards must be at least 1, got {self.num_shards}")
        self.storage_options_dict()
