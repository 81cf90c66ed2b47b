"""DecodeText: pure decoding rules, then the DoFn called directly."""

import pytest
from apache_beam import pvalue

from transforms.decode_text import (
    BinaryContent,
    DecodeTextFn,
    EmptyContent,
    UndecodableText,
    article_id_of,
    decode_article_text,
    decode_bytes,
    normalize_text,
)
from transforms.errors import ERRORS
from transforms.read_articles import RawArticle

LATIN_1_STORY = (
    "ZÜRICH, Feb 3 - La Banque nationale suisse a maintenu son taux directeur, "
    "a déclaré lundi son président à Genève."
)


def test_plain_utf8():
    assert decode_bytes(b"MOSCOW, October 23. /TASS/. Hello") == (
        "MOSCOW, October 23. /TASS/. Hello",
        "utf-8",
    )


def test_utf8_bom_is_dropped_and_recorded():
    text, encoding = decode_bytes(b"\xef\xbb\xbfMOSCOW (AP) - Hello")
    assert text == "MOSCOW (AP) - Hello"
    assert encoding == "utf-8-sig"


def test_utf16_with_bom():
    text, encoding = decode_bytes("PARIS (AFP) - Bonjour".encode("utf-16"))
    assert (text, encoding) == ("PARIS (AFP) - Bonjour", "utf-16")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(encoding):
    text = "BERLIN (dpa) - Angela Merkel sprach am Montag in Berlin über Europa."
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


def test_latin1_is_detected_and_decoded():
    text, encoding = decode_bytes(LATIN_1_STORY.encode("latin-1"))
    assert text == LATIN_1_STORY
    assert encoding not in {"utf-8", "utf-8-sig"}


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_input_is_an_error(data):
    with pytest.raises(EmptyContent):
        decode_bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        bytes(range(256)) * 8,
        b"abc\x00\x01\x02\x03def" * 50,
    ],
    ids=["png", "pdf", "all-bytes", "nul-laden"],
)
def test_binary_input_is_an_error(data):
    with pytest.raises(BinaryContent):
        decode_bytes(data)


def test_a_few_stray_control_characters_are_removed_and_counted():
    data = (
        b"Title\x00here\n\nPARIS (Reuters) - French President Emmanuel Macron\x00 spoke "
        b"on Monday\x1b about the budget.\n"
    )
    text, encoding, removed = decode_article_text(data)
    assert (encoding, removed) == ("utf-8", 3)
    assert text.startswith("Titlehere\n\nPARIS (Reuters)")
    assert "Emmanuel Macron spoke on Monday about" in text
    # Tabs and line ends are text, not noise.
    assert decode_article_text(b"A\tB\r\nC\fD")[2] == 0


def test_a_stray_nul_does_not_hide_a_non_utf8_text():
    data = "ZÜRICH, Feb 3 - Die Nationalbank\x00 hat den Leitzins unverändert gelassen.".encode(
        "latin-1"
    )
    text, encoding, removed = decode_article_text(data)
    assert ("Nationalbank hat" in text, removed) == (True, 1)


def test_article_id_ignores_line_ending_style():
    unix = normalize_text("TITLE\n\nBody line one.\nBody line two.\n")
    windows = normalize_text("TITLE\r\n\r\nBody line one.\r\nBody line two.\r\n")
    assert article_id_of(unix) == article_id_of(windows)
    assert len(article_id_of(unix)) == 64


def _raw(data: bytes) -> RawArticle:
    return RawArticle(uri="file:///in/story.txt", size=len(data), modified=None, data=data)


def test_fn_decodes_and_hashes():
    (article,) = list(DecodeTextFn().process(_raw(LATIN_1_STORY.encode("latin-1"))))
    assert article.text == LATIN_1_STORY
    assert article.article_id == article_id_of(LATIN_1_STORY)
    assert article.uri == "file:///in/story.txt"


def test_fn_routes_binary_to_errors_with_reason_and_sample():
    (output,) = list(DecodeTextFn().process(_raw(b"\x89PNG\r\n\x1a\n" + bytes(40))))
    assert isinstance(output, pvalue.TaggedOutput)
    assert output.tag == ERRORS
    record = output.value
    assert record.stage == "decode_text"
    assert record.error_class == "BinaryContent"
    assert "PNG" in record.message
    assert record.sample.startswith("\\x89PNG\\r\\n")
    assert record.source_size == 48


def test_a_utf16_byte_order_mark_before_bytes_that_are_not_utf16_is_undecodable():
    # Found by tests/fuzz_parser.py: an odd byte count after the BOM.
    with pytest.raises(UndecodableText, match="byte-order mark"):
        decode_bytes(b"\xfe\xff%")
