"""DoFns called directly: `fn.setup(); list(fn.process(element))`."""

import datetime
import gzip

import pytest
from apache_beam import pvalue

from tests.conftest import SEEDS
from transforms.decode_text import DecodedArticle, article_id_of
from transforms.errors import ERRORS
from transforms.extract_entities import ExtractEntitiesFn, chunks_by_characters
from transforms.headers import parse_header
from transforms.parse_headers import ParsedArticle, ParseHeadersFn
from transforms.read_articles import SOURCES, ReadFileFn
from transforms.storage import SourceFile

REFERENCE = datetime.datetime(2018, 10, 24, 9, 30, tzinfo=datetime.UTC)


def _tagged(outputs, tag):
    return [
        output.value
        for output in outputs
        if isinstance(output, pvalue.TaggedOutput) and output.tag == tag
    ]


def _main(outputs):
    return [output for output in outputs if not isinstance(output, pvalue.TaggedOutput)]


def test_read_file_fn_reads_gzip_and_counts_the_source(tmp_path):
    path = tmp_path / "story.txt.gz"
    path.write_bytes(gzip.compress(b"PARIS (AFP) - Bonjour."))
    outputs = list(ReadFileFn().process(SourceFile(f"file://{path}", 42, REFERENCE)))
    assert _tagged(outputs, SOURCES) == [f"file://{path}"]
    (article,) = _main(outputs)
    assert article.data == b"PARIS (AFP) - Bonjour."
    assert (article.size, article.modified) == (42, REFERENCE)


def test_read_file_fn_turns_a_corrupt_gzip_and_a_vanished_file_into_errors(tmp_path):
    corrupt = tmp_path / "broken.txt.gz"
    corrupt.write_bytes(gzip.compress(b"x" * 100)[:20])
    fn = ReadFileFn()
    errors = []
    for path in (corrupt, tmp_path / "gone.txt"):
        outputs = list(fn.process(SourceFile(f"file://{path}", 20, None)))
        assert _main(outputs) == []
        errors += _tagged(outputs, ERRORS)
    assert [(error.stage, error.error_class) for error in errors] == [
        ("read", "EOFError"),
        ("read", "FileNotFoundError"),
    ]
    assert all(error.message.startswith("cannot read file") for error in errors)


def test_parse_headers_fn_uses_the_file_time_for_the_year():
    text = (SEEDS / "000_ecb1709d6c659af1.txt").read_text()
    article = DecodedArticle(
        article_id_of(text), "file:///seeds/000", len(text), REFERENCE, "utf-8", text
    )
    fn = ParseHeadersFn()
    fn.setup()
    (parsed,) = list(fn.process(article))
    assert parsed.header.published_date == datetime.date(2018, 10, 23)
    assert parsed.header.date_source == "dateline+reference"
    assert parsed.header.body.startswith("Russian Defense Minister")


@pytest.mark.slow
def test_extract_entities_fn_turns_an_oversized_body_into_an_error_and_keeps_the_rest():
    fn = ExtractEntitiesFn()
    fn.setup()
    fn._nlp.max_length = 200  # the real limit is 1M characters; same code path
    short = "WASHINGTON (AP) - Joe Biden met Emmanuel Macron in Paris."
    long = "LONDON (Reuters) - " + "Theresa May spoke in London. " * 20
    articles = [
        ParsedArticle(
            source=DecodedArticle(
                article_id_of(text), f"file:///{i}", len(text), None, "utf-8", text
            ),
            header=parse_header(text),
        )
        for i, text in enumerate((short, long))
    ]
    outputs = list(fn.process(articles))
    (error,) = _tagged(outputs, ERRORS)
    assert (error.source_uri, error.error_class) == ("file:///1", "BodyTooLong")
    (annotated,) = _main(outputs)
    assert {entity.name for entity in annotated.entities} >= {"Joe Biden", "Emmanuel Macron"}


def _parsed(text: str, index: int) -> ParsedArticle:
    source = DecodedArticle(article_id_of(text), f"file:///{index}", len(text), None, "utf-8", text)
    return ParsedArticle(source=source, header=parse_header(text))


def test_ner_batches_are_cut_by_characters_in_order_and_never_split_a_body():
    articles = [
        _parsed("x" * size, i) for i, size in enumerate((4_000, 30_000, 20_000, 60_000, 10))
    ]
    chunks = chunks_by_characters(articles, 50_000)
    assert [[len(a.header.body) for a in chunk] for chunk in chunks] == [
        [4_000, 30_000],
        [20_000],
        [60_000],
        [10],
    ]


@pytest.mark.slow
def test_extract_entities_fn_annotates_every_article_of_a_batch_cut_in_chunks(monkeypatch):
    from transforms import extract_entities

    monkeypatch.setattr(extract_entities, "MAX_CHARACTERS_PER_PIPE", 80)
    fn = ExtractEntitiesFn()
    fn.setup()
    texts = [f"Joe Biden met Emmanuel Macron in Paris on day {day}." for day in range(5)]
    outputs = list(fn.process([_parsed(text, i) for i, text in enumerate(texts)]))
    annotated = _main(outputs)
    assert [article.parsed.source.uri for article in annotated] == [
        f"file:///{i}" for i in range(5)
    ]
    assert all({"Joe Biden", "Emmanuel Macron"} <= {e.name for e in a.entities} for a in annotated)


class _CountingExtractEntitiesFn(ExtractEntitiesFn):
    """Counts the articles annotated one by one, the fallback for a chunk the model fails on."""

    one_by_one = 0

    def _doc_or_error(self, body):
        type(self).one_by_one += 1
        return super()._doc_or_error(body)


@pytest.mark.slow
def test_a_healthy_batch_goes_through_nlp_pipe_not_one_by_one():
    fn = _CountingExtractEntitiesFn()
    fn.setup()
    texts = [f"Joe Biden met Emmanuel Macron in Paris on day {day}." for day in range(5)]
    annotated = _main(list(fn.process([_parsed(text, i) for i, text in enumerate(texts)])))
    assert len(annotated) == 5
    assert _CountingExtractEntitiesFn.one_by_one == 0
