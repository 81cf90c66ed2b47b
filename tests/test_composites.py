"""The stage composites in Beam's TestPipeline, fed with beam.Create."""

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.decode_text import DecodeText
from transforms.errors import ERRORS
from transforms.read_articles import SOURCES, RawArticle, ReadArticles


def _raw(name: str, data: bytes) -> RawArticle:
    return RawArticle(uri=f"file:///in/{name}", size=len(data), modified=None, data=data)


def test_read_articles_reads_every_file_and_counts_sources(tmp_path):
    (tmp_path / "a.txt").write_text("PARIS (AFP) - One.")
    (tmp_path / "b.txt").write_text("LONDON (Reuters) - Two.")
    with TestPipeline() as pipeline:
        read = pipeline | ReadArticles([str(tmp_path / "*.txt"), str(tmp_path / "none-*")])
        assert_that(
            read["articles"] | beam.Map(lambda article: article.data),
            equal_to([b"PARIS (AFP) - One.", b"LONDON (Reuters) - Two."]),
            label="Data",
        )
        assert_that(read[SOURCES] | beam.combiners.Count.Globally(), equal_to([2]), label="Sources")
        assert_that(read[ERRORS], equal_to([]), label="NoErrors")
        assert_that(
            read["listing"],
            equal_to([("files_matched", 2), ("skipped_unchanged", 0), ("files_read", 2)]),
            label="Listing",
        )


def test_decode_text_splits_text_from_junk():
    raws = [
        _raw("story.txt", b"WASHINGTON (AP) - Text."),
        _raw("empty.txt", b""),
        _raw("logo.png", b"\x89PNG\r\n\x1a\n" + bytes(32)),
    ]
    with TestPipeline() as pipeline:
        decoded = pipeline | beam.Create(raws) | DecodeText()
        assert_that(
            decoded.articles | beam.Map(lambda article: article.text),
            equal_to(["WASHINGTON (AP) - Text."]),
            label="Texts",
        )
        assert_that(
            decoded[ERRORS] | beam.Map(lambda error: (error.source_uri, error.error_class)),
            equal_to(
                [("file:///in/empty.txt", "EmptyContent"), ("file:///in/logo.png", "BinaryContent")]
            ),
            label="Errors",
        )
