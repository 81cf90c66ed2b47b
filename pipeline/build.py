"""Wires the stages of DESIGN.md into one graph; no element logic lives here."""

import datetime

import apache_beam as beam

from pipeline.options import DatelineOptions
from transforms.decode_text import DecodeText
from transforms.deduplicate import DropDuplicateArticles
from transforms.errors import ERRORS
from transforms.extract_entities import ExtractEntities
from transforms.parse_headers import ParseHeaders
from transforms.read_articles import SOURCES, ReadArticles
from transforms.write_dataset import WriteDataset


def build_pipeline(
    pipeline: beam.Pipeline,
    options: DatelineOptions,
    run_id: str,
    started_at: datetime.datetime,
) -> dict:
    """Adds the whole graph to `pipeline`; returns its PCollections, exposed for testing."""
    storage_options = options.storage_options_dict()
    read = pipeline | "ReadArticles" >> ReadArticles(options.inputs, storage_options)
    decoded = read.articles | "DecodeText" >> DecodeText()
    distinct = decoded.articles | "DropDuplicateArticles" >> DropDuplicateArticles()
    parsed = distinct.articles | "ParseHeaders" >> ParseHeaders()
    annotated = parsed.articles | "ExtractEntities" >> ExtractEntities(
        batch_size=options.batch_size, model_name=options.model
    )
    errors = (
        read[ERRORS],
        decoded[ERRORS],
        distinct[ERRORS],
        parsed[ERRORS],
        annotated[ERRORS],
    ) | "AllErrors" >> beam.Flatten()
    manifest = {
        "articles": annotated.articles,
        "errors": errors,
        "sources": read[SOURCES],
    } | "WriteDataset" >> WriteDataset(
        output=options.output,
        run_id=run_id,
        started_at=started_at,
        inputs=options.inputs,
        storage_options=storage_options,
        num_shards=options.num_shards,
    )
    return {
        "sources": read[SOURCES],
        "annotated": annotated.articles,
        "errors": errors,
        "manifest": manifest,
    }
