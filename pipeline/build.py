"""Wires the stages of DESIGN.md into one graph; no element logic lives here.

Batch and streaming share every stage; they differ only in where files come
from (a listing once, or a watch polling) and in how often the commit runs.
"""

import datetime

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.transforms import window as beam_window

from pipeline.options import DatelineOptions
from transforms.decode_text import DecodeText
from transforms.errors import ERRORS
from transforms.extract_entities import ExtractEntities
from transforms.parse_headers import ParseHeaders
from transforms.read_articles import SOURCES, ReadArticles, ReadFileFn
from transforms.resolve_places import ResolvePlaces
from transforms.watch_inputs import WatchInputs
from transforms.write_dataset import (
    CommitSchedule,
    CommitWindowFn,
    RunInfo,
    StageAndCommitFn,
    StageRows,
    WriteDataset,
    staged_parts,
)

# Runners that execute a streaming pipeline's GroupByKeys only at its end
# (measured); on them the commit runs per bundle instead of per window.
LOCAL_RUNNERS = {"FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner"}


def run_info(options: DatelineOptions, run_id: str, started_at: datetime.datetime) -> RunInfo:
    return RunInfo(
        output=options.output,
        run_id=run_id,
        started_at=started_at,
        inputs=tuple(options.inputs),
        storage_options=options.storage_options_dict(),
        reprocess=options.reprocess,
        max_rows_per_file=options.max_rows_per_file,
    )


def annotate(files_read, options: DatelineOptions) -> dict:
    """Raw articles -> annotated articles and every stage's errors.

    Copies of one text are annotated like any article; the commit keeps the
    copy with the smallest uri (see StageRowsFn). A GroupByKey of whole texts
    here would make the local runners hold the corpus in memory.
    """
    decoded = files_read["articles"] | "DecodeText" >> DecodeText()
    parsed = decoded.articles | "ParseHeaders" >> ParseHeaders()
    annotated = parsed.articles | "ExtractEntities" >> ExtractEntities(
        batch_size=options.batch_size,
        model_name=options.model,
        language_models=options.language_models_dict(),
    )
    errors_by_stage = {
        "read": files_read[ERRORS],
        "decode_text": decoded[ERRORS],
        "parse_headers": parsed[ERRORS],
        "extract_entities": annotated[ERRORS],
    }
    if options.places == "off":
        return {"articles": annotated.articles, "errors_by_stage": errors_by_stage}
    placed = annotated.articles | "ResolvePlaces" >> ResolvePlaces()
    errors_by_stage["resolve_places"] = placed[ERRORS]
    return {"articles": placed.articles, "errors_by_stage": errors_by_stage}


def build_pipeline(
    pipeline: beam.Pipeline,
    options: DatelineOptions,
    run_id: str,
    started_at: datetime.datetime,
) -> dict:
    """Adds the whole graph to `pipeline`; returns its PCollections, exposed for testing."""
    if options.view_as(StandardOptions).streaming:
        return build_streaming(pipeline, options, run_id, started_at)
    storage_options = options.storage_options_dict()
    read = pipeline | "ReadArticles" >> ReadArticles(
        options.inputs, storage_options, output=options.output, reprocess=options.reprocess
    )
    annotated = annotate(read, options)
    manifest = {**annotated, "listing": read["listing"]} | "WriteDataset" >> WriteDataset(
        run_info(options, run_id, started_at)
    )
    return {
        "sources": read[SOURCES],
        "annotated": annotated["articles"],
        "errors_by_stage": annotated["errors_by_stage"],
        "manifest": manifest,
    }


def build_streaming(pipeline, options: DatelineOptions, run_id: str, started_at) -> dict:
    """The watch: poll the inputs, ingest what is new, commit window by window."""
    storage_options = options.storage_options_dict()
    run = run_info(options, run_id, started_at)
    watch = WatchInputs(
        options.inputs, options.output, storage_options, options.poll_interval, options.stop_after
    )
    local = options.view_as(StandardOptions).runner in LOCAL_RUNNERS
    files = pipeline | "WatchInputs" >> watch
    if not local:
        files = files | "SpreadFiles" >> beam.Reshuffle()
    read = files | "ReadFiles" >> beam.ParDo(ReadFileFn(storage_options)).with_outputs(
        ERRORS, SOURCES, main="articles"
    )
    annotated = annotate(read, options)
    if local:
        schedule = CommitSchedule(watch.start, options.window, watch.last_poll_at)
        # No Flatten: the local runner would hold its inputs until the watch ends.
        committed = [
            part | f"StageAndCommit{name}" >> beam.ParDo(StageAndCommitFn(run, schedule))
            for name, part in staged_parts(annotated).items()
        ]
    else:
        committed = (
            annotated
            | "StageRows" >> StageRows(run)
            | "CommitWindows" >> beam.WindowInto(beam_window.FixedWindows(options.window))
            | "KeyForCommit" >> beam.Map(lambda staged_file: (None, staged_file))
            | "CollectWindow" >> beam.GroupByKey()
            | "Commit" >> beam.ParDo(CommitWindowFn(run))
        )
    return {"sources": read[SOURCES], "annotated": annotated["articles"], "commits": committed}
