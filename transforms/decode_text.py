"""DecodeText: raw bytes -> text, with the encoding it was written in.

Example input: `RawArticle(data=b"\\xef\\xbb\\xbfMOSCOW, October 23. ...")` (UTF-8
with a BOM) -> `DecodedArticle(text="MOSCOW, October 23. ...", encoding="utf-8-sig")`.
Empty files, binary files and bytes no encoding explains become error rows.
"""

import dataclasses
import datetime
import hashlib
import re
import unicodedata

import apache_beam as beam
import charset_normalizer
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.errors import ERRORS, ErrorRecord
from transforms.read_articles import RawArticle

STAGE = "decode_text"

# Signatures of common binary formats that sometimes land among articles.
BINARY_SIGNATURES = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive (or DOCX/XLSX)",
    b"\x1f\x8b": "gzip stream not named .gz",
    b"BZh": "bzip2 stream not named .bz2",
    b"\x7fELF": "ELF executable",
    b"PAR1": "Parquet file",
}

# Control characters other than tab/newline/carriage return/form feed are rare
# in real text: a few (a NUL from a bad copy, an ESC from a terminal) are removed
# and counted, but a first 8 KiB with more than MIN_BINARY_CONTROL_CHARS of them
# making over MAX_CONTROL_CHAR_SHARE of it is binary noise, not text.
MAX_CONTROL_CHAR_SHARE = 0.01
MIN_BINARY_CONTROL_CHARS = 16
SNIFF_BYTES = 8192
UTF16_NUL_SHARE = 0.6


class DecodeError(ValueError):
    """Input bytes that are not an article's text; the class name is the error_class."""


class EmptyContent(DecodeError):
    pass


class BinaryContent(DecodeError):
    pass


class UndecodableText(DecodeError):
    pass


@dataclasses.dataclass(frozen=True)
class DecodedArticle:
    article_id: str
    uri: str
    size: int
    modified: datetime.datetime | None
    encoding: str
    text: str
    generation: str | None = None
    control_chars_removed: int = 0


def normalize_text(text: str) -> str:
    """NFC and `\\n` line ends, so the same article saved on Windows or a Mac hashes the same."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def article_id_of(text: str) -> str:
    """sha256 of the normalized text: stable across runs, paths and storage."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F)
# less tab, line feed, form feed and carriage return.
_STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    sample = text[:SNIFF_BYTES]
    controls = len(_STRAY_CONTROLS.findall(sample))
    return controls > max(MIN_BINARY_CONTROL_CHARS, MAX_CONTROL_CHAR_SHARE * len(sample))


def remove_stray_controls(text: str) -> tuple[str, int]:
    """(`text` without control characters other than tab and line ends, how many went):
    `remove_stray_controls("Macron\x00 spoke")` -> `("Macron spoke", 1)`."""
    return _STRAY_CONTROLS.subn("", text)


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """(text, `utf-16-le`/`-be`) for UTF-16 text saved without a BOM, else None.

    Latin-script UTF-16 has a NUL in nearly every other byte and almost none
    in between; binary data does not keep to that rhythm.
    """
    sample = data[:SNIFF_BYTES]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    candidates = {"utf-16-le": (odd_nuls, even_nuls), "utf-16-be": (even_nuls, odd_nuls)}
    for encoding, (nul_share, other_share) in candidates.items():
        if nul_share > UTF16_NUL_SHARE and other_share < 0.02:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(normalized text, encoding name) for article bytes; see `decode_article_text`."""
    text, encoding, _ = decode_article_text(data)
    return text, encoding


def decode_article_text(data: bytes) -> tuple[str, str, int]:
    """(normalized text, encoding name, stray control characters removed) for article
    bytes, or a `DecodeError` saying why not.

    UTF-8 (with or without BOM) is tried first because almost all news is UTF-8
    and detection can mistake short UTF-8 texts for other encodings.
    """
    if not data.strip():
        raise EmptyContent("file is empty" if not data else "file holds only whitespace")
    nul_bytes = 0  # removed before decoding, for encodings found by detection
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise BinaryContent(f"binary file ({kind}), not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        try:
            text = data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            raise UndecodableText("a UTF-16 byte-order mark, but not UTF-16 text") from None
    elif utf16 := _bomless_utf16(data):
        text, encoding = utf16
    else:
        try:
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
            text = data.decode(encoding)
        except UnicodeDecodeError:
            if data[:SNIFF_BYTES].count(0) > MIN_BINARY_CONTROL_CHARS:
                raise BinaryContent("NUL bytes in the first 8 KiB: binary, not text") from None
            # A stray NUL derails detection; no text encoding it could be in needs one.
            nul_bytes = data.count(0)
            best = charset_normalizer.from_bytes(data.replace(b"\x00", b"")).best()
            if best is None and nul_bytes:
                raise BinaryContent("NUL bytes and no text encoding: binary, not text") from None
            if best is None:
                raise UndecodableText("not UTF-8 and no text encoding explains the bytes") from None
            encoding, text = best.encoding, str(best)
    if _looks_binary(text):
        raise BinaryContent(f"decodes as {encoding} but is mostly control characters")
    text, removed = remove_stray_controls(text)
    if not text.strip():
        raise EmptyContent("file holds only whitespace")
    return normalize_text(text), encoding, removed + nul_bytes


class DecodeTextFn(beam.DoFn):
    """`RawArticle` -> `DecodedArticle`, or an error row naming why the bytes are not text."""

    def __init__(self):
        self._decoded = Metrics.counter(self.__class__, "articles_decoded")
        self._detected = Metrics.counter(self.__class__, "articles_not_utf8")
        self._failed = Metrics.counter(self.__class__, "files_not_text")

    def process(self, raw: RawArticle):
        try:
            text, encoding, removed = decode_article_text(raw.data)
        except (DecodeError, UnicodeDecodeError) as error:
            self._failed.inc()
            error_class = (
                type(error).__name__ if isinstance(error, DecodeError) else "UndecodableText"
            )
            yield pvalue.TaggedOutput(
                ERRORS,
                ErrorRecord.from_bytes(raw.uri, STAGE, error_class, str(error), raw.data, raw),
            )
            return
        if not encoding.startswith("utf-8"):
            self._detected.inc()
        self._decoded.inc()
        yield DecodedArticle(
            article_id=article_id_of(text),
            uri=raw.uri,
            size=raw.size,
            modified=raw.modified,
            encoding=encoding,
            text=text,
            generation=raw.generation,
            control_chars_removed=removed,
        )


class DecodeText(beam.PTransform):
    """Raw articles -> decoded articles (`articles`) and error rows (`errors`)."""

    def expand(self, raw_articles):
        return raw_articles | "DecodeBytes" >> beam.ParDo(DecodeTextFn()).with_outputs(
            ERRORS, main="articles"
        )
