"""Runs the dateline batch pipeline: `python -m pipeline.main --input ... --output ...`.

Locally (Beam's FnApiRunner, one worker process per core):

    python -m pipeline.main --input 'seeds/*.txt' --output out

In this one process (what tests and debuggers want):

    python -m pipeline.main --input 'seeds/*.txt' --output out --direct_num_workers=1

Watching a landing folder, committing every 10 s, for an hour:

    python -m pipeline.main --streaming --input landing/ --output out \\
        --poll_interval 10 --window 10 --stop_after 3600

On Dataflow (setup.py ships the code and pins the model package):

    python -m pipeline.main --input 'gs://BUCKET/articles/*.txt' --output gs://BUCKET/out \\
        --runner=DataflowRunner --project=PROJECT --region=REGION \\
        --temp_location=gs://BUCKET/tmp --setup_file=./setup.py
"""

import argparse
import contextlib
import dataclasses
import datetime
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import DirectOptions, StandardOptions, TestOptions

from pipeline import preflight, runner_fixes
from pipeline.build import build_pipeline
from pipeline.options import DatelineOptions
from transforms import dataset_log, progress, storage
from transforms.extract_entities import UNMODELLED_NAMESPACE
from transforms.write_dataset import manifest_url

# Beam's DirectRunner first tries to download the Prism runner; offline that
# only costs a failed attempt and a log line before it falls back to this.
DEFAULT_RUNNER = "FnApiRunner"


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    run_id: str
    output: str
    state: str
    seconds: float
    manifest: dict | None
    # A batch run whose inputs matched no file fails unless --allow_empty; a
    # watch over a folder that is still empty is normal.
    empty_is_fine: bool = True
    # Articles no model annotated, by language code (from the run's metrics).
    unmodelled_languages: dict = dataclasses.field(default_factory=dict)


class RunFailed(Exception):
    """The pipeline started and then failed (storage gone, a worker lost for good, a bug)."""

    def __init__(self, run_id: str, cause: BaseException):
        super().__init__(f"run {run_id} failed: {one_line(cause)}")
        self.run_id = run_id
        self.cause = cause


def one_line(error: BaseException) -> str:
    """The line that says what went wrong. A worker's failure reaches the runner
    as a RuntimeError holding the worker's whole traceback; its last line is the
    error, with the step Beam was running."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    if lines[0].startswith("Traceback (most recent call last)"):
        return lines[-1]
    return f"{type(error).__name__}: {lines[0]}"


def new_run_id(started_at: datetime.datetime) -> str:
    return f"{started_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


LOCAL_RUNNERS = {DEFAULT_RUNNER, "DirectRunner", "SwitchingDirectRunner"}


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def pipeline_options(argv: list[str]) -> DatelineOptions:
    options = DatelineOptions(argv)
    standard = options.view_as(StandardOptions)
    if standard.runner is None:
        standard.runner = DEFAULT_RUNNER
    if uses_all_cores_by_default(options, argv):
        # NER is CPU-bound and holds the GIL, so only processes add speed: on 2 cores
        # the BBC corpus took 88 s in one process and 49 s in two (bench/throughput.py).
        direct = options.view_as(DirectOptions)
        direct.direct_running_mode = "multi_processing"
        direct.direct_num_workers = usable_cores()
    return options


def uses_all_cores_by_default(options: DatelineOptions, argv: list[str]) -> bool:
    """A batch run on the local runner whose user chose no worker setting, on a
    machine with several cores. A watch stays in one process (Beam's multi-process
    runner stops an unbounded source early) and so do `memory://` paths (private
    to each process)."""
    chosen = any(arg.startswith(("--direct_running_mode", "--direct_num_workers")) for arg in argv)
    paths = [*(options.inputs or []), options.output or ""]
    return (
        not chosen
        and options.view_as(StandardOptions).runner in LOCAL_RUNNERS
        and not options.view_as(StandardOptions).streaming
        and not any(path.startswith("memory://") for path in paths)
        and usable_cores() > 1
    )


def worker_log(run_id: str) -> Path:
    """Where local worker processes write what they print: a file, not the user's terminal."""
    return Path(tempfile.gettempdir()) / f"dateline-{run_id}-workers.txt"


@contextlib.contextmanager
def thread_errors_to(path: Path):
    """While the pipeline runs, an exception that ends one of the runner's threads
    (a stream broken by a dying worker, under load) goes to the worker log, not to
    the user's terminal: the failure, if any, reaches the runner and is reported
    in two lines (`report_failure`)."""

    def log_thread_error(args) -> None:
        with path.open("a", encoding="utf-8") as log:
            log.write(f"exception in thread {args.thread.name if args.thread else '?'}:\n")
            log.write(
                "".join(
                    traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
                )
            )

    previous, threading.excepthook = threading.excepthook, log_thread_error
    try:
        yield
    finally:
        threading.excepthook = previous


@contextlib.contextmanager
def showing_progress(options: DatelineOptions, run_id: str):
    """Progress on stderr while a local run runs (transforms/progress.py); remote
    runners show theirs in their own consoles."""
    standard = options.view_as(StandardOptions)
    if options.progress == "off" or standard.runner not in LOCAL_RUNNERS:
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix=f"dateline-{run_id}-progress-"))
    os.environ[progress.ENVIRONMENT_VARIABLE] = str(folder)
    display = progress.ProgressDisplay(
        folder,
        sys.stderr,
        options.progress_interval,
        streaming=standard.streaming,
        label=f"dateline run {run_id}",
        mode=options.progress,
    ).start()
    try:
        yield
    finally:
        display.stop()
        os.environ.pop(progress.ENVIRONMENT_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


def run(argv: list[str] | None = None) -> RunOutcome:
    """Validates options, builds the graph, runs it and reads back the run manifest."""
    argv = list(sys.argv[1:] if argv is None else argv)
    preflight.check_arguments(argv)
    options = pipeline_options(argv)
    options.validate_dateline()
    if options.num_shards is not None:
        print(
            "dateline run: warning: --num_shards is ignored since 0.2 (files roll at "
            "--max_rows_per_file)",
            file=sys.stderr,
        )
    started_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    run_id = options.run_id or new_run_id(started_at)
    check_before_starting(options, run_id)
    clock = time.monotonic()
    runner_fixes.apply_all()
    runner_fixes.send_worker_output_to(str(worker_log(run_id)))
    pipeline = beam.Pipeline(options=options)
    build_pipeline(pipeline, options, run_id, started_at)
    try:
        with showing_progress(options, run_id), thread_errors_to(worker_log(run_id)):
            result = pipeline.run()
            state = result.wait_until_finish()
    except Exception as error:  # noqa: BLE001 - reported in one line by main()
        raise RunFailed(run_id, error) from error
    workers = worker_log(run_id)
    if workers.exists() and not workers.stat().st_size:
        workers.unlink()
    if options.view_as(TestOptions).dry_run:
        # Dataflow's dry run only builds and validates the graph; nothing ran.
        return RunOutcome(run_id, options.output, "DRY_RUN", time.monotonic() - clock, None)
    manifest = read_manifest(options.output, run_id, options.storage_options_dict())
    empty_is_fine = options.allow_empty or options.view_as(StandardOptions).streaming
    return RunOutcome(
        run_id,
        options.output,
        state,
        time.monotonic() - clock,
        manifest,
        empty_is_fine,
        unmodelled_languages(result),
    )


def unmodelled_languages(result) -> dict:
    """{language code: articles} that no model annotated, from the run's counters."""
    query = MetricsFilter().with_namespace(UNMODELLED_NAMESPACE)
    counts = {}
    for counter in result.metrics().query(query)["counters"]:
        # Committed counts leave out bundles that were retried.
        value = counter.committed if counter.committed is not None else counter.attempted
        counts[counter.key.metric.name] = counts.get(counter.key.metric.name, 0) + value
    return {code: count for code, count in sorted(counts.items()) if count}


def check_before_starting(options: DatelineOptions, run_id: str) -> None:
    """Everything that would otherwise fail after the NLP work, or not at all."""
    preflight.check_run_id(run_id)
    preflight.check_model(options.model)
    for language_code, model in options.language_models_dict().items():
        preflight.check_model(model, f"--language_models {language_code}={model}")
    if options.view_as(TestOptions).dry_run:
        return  # a Dataflow dry run touches no storage
    storage_options = options.storage_options_dict()
    if not options.view_as(StandardOptions).streaming:
        preflight.check_inputs_exist(options.inputs, storage_options)
    preflight.check_output_writable(options.output, run_id, storage_options)
    preflight.check_run_id_unused(options.output, run_id, storage_options)
    # Fails here, in one line, on an output written before the commit log existed.
    dataset_log.load_snapshot(options.output, storage_options)


def read_manifest(output: str, run_id: str, storage_options: dict) -> dict | None:
    try:
        return json.loads(storage.read_bytes(manifest_url(output, run_id), storage_options))
    except FileNotFoundError:
        return None


def summary(outcome: RunOutcome) -> str:
    """The few lines a user reads after a run."""
    manifest = outcome.manifest
    if outcome.state == "DRY_RUN":
        return f"dry run {outcome.run_id}: job graph built and validated, nothing ran"
    if manifest is None:
        return f"run {outcome.run_id}: no manifest written to {outcome.output} (did the run fail?)"
    rows = manifest["rows"]
    versions = manifest.get("commits") or []
    by_stage = ", ".join(
        f"{stage}: {n}" for stage, n in sorted(manifest["errors_by_stage"].items())
    )
    languages = ", ".join(f"{code} {n}" for code, n in outcome.unmodelled_languages.items())
    lines = [
        f"dateline run {outcome.run_id} finished in {outcome.seconds:.1f} s",
        f"  files matched     {manifest['input_files']:>8}",
        f"  skipped unchanged {manifest.get('skipped_unchanged', 0):>8}",
        f"  files read        {manifest.get('files_read', manifest['input_files']):>8}",
        f"  articles written  {rows['articles']:>8}",
        f"  entity mentions   {rows['mentions']:>8}",
        f"  entities          {rows['entities']:>8}",
        f"  errors            {rows['errors']:>8}" + (f"  ({by_stage})" if by_stage else ""),
        f"  not annotated     {sum(outcome.unmodelled_languages.values()):>8}"
        + (f"  (no model for their language: {languages})" if languages else ""),
        f"  replaced inputs   {manifest.get('inputs_replaced', 0):>8}",
        f"  commit            {', '.join(map(str, versions)) or 'none (nothing new)'}",
        f"  output            {outcome.output}",
    ]
    if not manifest["input_files"]:
        lines.append("  WARNING: no file matched --input " + " ".join(manifest["inputs"]))
    if not manifest["all_inputs_accounted"]:
        lines.append("  WARNING: files read != articles + errors; see the log")
    return "\n".join(lines)


def help_text(prog: str = "python -m pipeline.main") -> str:
    """Help for dateline's own flags; Beam's several hundred are documented by Beam."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Read article files, parse headers, extract entities, write Parquet tables.",
        epilog="--streaming (Beam's flag) turns the run into a watch of --input. "
        "Any Apache Beam pipeline option is accepted too, e.g. --runner (default "
        f"{DEFAULT_RUNNER}, Beam's local runner, one worker process per core for a batch run), "
        "--direct_num_workers=1 (one process), or --runner=DataflowRunner --project --region "
        "--temp_location --setup_file=./setup.py.",
    )
    DatelineOptions._add_argparse_args(parser)
    return parser.format_help()


def report_failure(prog: str, failure: RunFailed) -> None:
    """One clear line, what to do next, and where the whole traceback went."""
    traceback_file = Path(tempfile.gettempdir()) / f"dateline-{failure.run_id}-traceback.txt"
    traceback_file.write_text("".join(traceback.format_exception(failure.cause)), encoding="utf-8")
    print(f"{prog}: error: {failure}", file=sys.stderr)
    print(
        f"{prog}: whatever it committed stays committed and nothing else is visible; run "
        "the same command again to ingest the rest (inputs already committed are skipped). "
        f"Traceback: {traceback_file}; worker output: {worker_log(failure.run_id)}",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None, prog: str = "python -m pipeline.main") -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(help_text(prog))
        return 0
    logging.getLogger().setLevel(logging.WARNING)
    # Local worker processes log through this logger: a harmless warning at
    # start-up ("No semi_persistent_directory found") and, when a bundle fails,
    # tracebacks of hundreds of lines. A failure reaches the runner anyway and is
    # reported by report_failure, in one line with the traceback in a file.
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(
        logging.CRITICAL
    )
    try:
        outcome = run(argv)
    except (ValueError, dataset_log.LegacyDatasetError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    except RunFailed as failure:
        report_failure(prog, failure)
        return 1
    print(summary(outcome))
    if outcome.state == "DRY_RUN":
        return 0
    if outcome.manifest and not outcome.manifest["input_files"] and not outcome.empty_is_fine:
        print(
            f"{prog}: error: no file matched --input "
            + " ".join(outcome.manifest["inputs"])
            + " (pass --allow_empty when an empty landing folder is normal)",
            file=sys.stderr,
        )
        return 1
    return 0 if outcome.manifest and outcome.manifest["all_inputs_accounted"] else 1


if __name__ == "__main__":
    sys.exit(main())
