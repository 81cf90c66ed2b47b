"""DoFns called directly: `fn.setup(); list(fn.process(element))`."""

import datetime
import gzip

import pytest
from apache_beam import pvalue

from tests.conftest import SEEDS, gzip_bomb
from transforms.decode_text import DecodedArticle, article_id_of
from transforms.errors import ERRORS
from transforms.extract_entities import (
    ExtractEntitiesFn,
    Segment,
    body_segments,
    chunks_by_characters,
)
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


def test_a_gzip_bomb_stops_at_the_size_limit_with_an_error_row(tmp_path):
    bomb = tmp_path / "bomb.txt.gz"
    gzip_bomb(bomb, gigabytes=10)
    assert bomb.stat().st_size < 12 * 2**20
    outputs = list(ReadFileFn().process(SourceFile(f"file://{bomb}", bomb.stat().st_size, None)))
    (error,) = _tagged(outputs, ERRORS)
    assert (error.stage, error.error_class) == ("read", "FileTooLarge")
    assert "over the limit of 64 MiB per article file once decompressed" in error.message
    assert error.source_size == bomb.stat().st_size


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


def _annotated_body(fn, text):
    (annotated,) = _main(list(fn.process([_parsed(text, 0)])))
    body = annotated.parsed.header.body
    assert all(body[m.start_char : m.end_char] == m.text for m in annotated.mentions)
    return annotated


@pytest.mark.slow
def test_a_body_over_the_models_limit_is_annotated_whole_in_segments():
    fn = ExtractEntitiesFn()
    fn.setup()
    # Five million characters (spaCy refuses one text over one million); the padding
    # is blank lines so the model has few tokens to read.
    padding = ("\n\n" + " " * 9_998) * 450
    text = (
        "A very long report\n\n"
        "Angela Merkel visited Berlin on Monday.\n\n"
        + padding
        + "Barack Obama spoke in Paris.\n\n"
        + padding
        + "Later, Obama met Vladimir Putin in Moscow."
    )
    assert len(text) > 5_000_000 > 1_000_000 == fn._nlp.max_length
    annotated = _annotated_body(fn, text)
    by_text = {m.text: m for m in annotated.mentions}
    assert by_text["Vladimir Putin"].start_char > 4_000_000
    assert by_text["Barack Obama"].entity_id == by_text["Obama"].entity_id
    # Sentences keep counting across segments: Putin's is after Obama's.
    assert by_text["Vladimir Putin"].sentence > by_text["Barack Obama"].sentence > 0


@pytest.mark.slow
def test_segments_give_the_entities_of_the_whole_body(monkeypatch):
    from transforms import extract_entities

    fn = ExtractEntitiesFn()
    fn.setup()
    text = " ".join(
        f"{name} met Emmanuel Macron in Paris on day {day}.\n"
        for day, name in enumerate(["Joe Biden", "Olaf Scholz", "Rishi Sunak", "Joe Biden"] * 3)
    )
    whole = _annotated_body(fn, text)
    monkeypatch.setattr(extract_entities, "MAX_CHARACTERS_PER_PIPE", 120)
    cut = _annotated_body(fn, text)
    assert [(m.text, m.start_char, m.sentence) for m in cut.mentions] == [
        (m.text, m.start_char, m.sentence) for m in whole.mentions
    ]
    assert [e.entity_id for e in cut.entities] == [e.entity_id for e in whole.entities]


@pytest.mark.parametrize("limit", [7, 12, 40, 1000])
def test_body_segments_join_to_the_body_and_respect_the_limit(limit):
    body = "One two.\n\nThree four five six. Seven\neight nine ten eleven twelve thirteen."
    segments = body_segments(body, limit)
    assert "".join(text for _, text in segments) == body
    assert all(len(text) <= limit for _, text in segments)
    assert [offset for offset, _ in segments] == [
        sum(len(text) for _, text in segments[:i]) for i in range(len(segments))
    ]


def test_body_segments_cut_at_the_best_boundary():
    assert body_segments("One.\n\nTwo three.", 10) == [(0, "One.\n\n"), (6, "Two three.")]
    assert body_segments("Alpha beta. Gamma delta", 14) == [
        (0, "Alpha beta. "),
        (12, "Gamma delta"),
    ]
    assert body_segments("x" * 10, 4) == [(0, "xxxx"), (4, "xxxx"), (8, "xx")]


def _parsed(text: str, index: int) -> ParsedArticle:
    source = DecodedArticle(article_id_of(text), f"file:///{index}", len(text), None, "utf-8", text)
    return ParsedArticle(source=source, header=parse_header(text))


def test_ner_batches_are_cut_by_characters_in_order_and_never_split_a_segment():
    segments = [
        Segment(i, 0, "x" * size) for i, size in enumerate((4_000, 30_000, 20_000, 60_000, 10))
    ]
    chunks = chunks_by_characters(segments, 50_000)
    assert [[len(segment.text) for segment in chunk] for chunk in chunks] == [
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

    def _doc_or_error(self, nlp, body):
        type(self).one_by_one += 1
        return super()._doc_or_error(nlp, body)


@pytest.mark.slow
def test_a_healthy_batch_goes_through_nlp_pipe_not_one_by_one():
    fn = _CountingExtractEntitiesFn()
    fn.setup()
    texts = [f"Joe Biden met Emmanuel Macron in Paris on day {day}." for day in range(5)]
    annotated = _main(list(fn.process([_parsed(text, i) for i, text in enumerate(texts)])))
    assert len(annotated) == 5
    assert _CountingExtractEntitiesFn.one_by_one == 0


@pytest.mark.slow
def test_the_models_string_store_does_not_grow_with_the_text_annotated():
    fn = ExtractEntitiesFn()
    fn.setup()
    strings = fn._nlp.vocab.strings

    def batch(day: int) -> list[ParsedArticle]:
        # Every batch brings words and names the model has never seen.
        return [
            _parsed(f"Zorblax{day}x{i} Quintavius met Vexmar{day}y{i} in Trelloria{day}.", i)
            for i in range(5)
        ]

    list(fn.process(batch(0)))
    settled = len(strings)
    for day in range(1, 30):
        assert len(_main(list(fn.process(batch(day))))) == 5
    assert len(strings) == settled
