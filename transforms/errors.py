"""The dead letter every stage shares: what went wrong, where, on which input.

Each stage's DoFn emits an `ErrorRecord` on its `ERRORS` tagged output instead
of raising, so one bad file never fails a bundle and every input is accounted
for as either an article or an error row.

Example: `ErrorRecord.from_bytes("file:///in/logo.png", "decode_text",
"BinaryContent", "NUL bytes in the first 8 KiB", data)`.
"""

import codecs
import dataclasses
import datetime

ERRORS = "errors"

# Enough of the file to recognise it, short enough to keep the table small.
SAMPLE_BYTES = 160


@dataclasses.dataclass(frozen=True)
class ErrorRecord:
    source_uri: str
    stage: str
    error_class: str
    message: str
    source_size: int | None
    sample: str
    # What the file was when read: the ledger's fingerprint of this input.
    source_modified: datetime.datetime | None = None
    source_generation: str | None = None

    @classmethod
    def from_bytes(
        cls,
        source_uri: str,
        stage: str,
        error_class: str,
        message: str,
        data: bytes | None,
        source=None,
    ) -> "ErrorRecord":
        """`source` (anything with `modified` and `generation`) fingerprints the file."""
        return cls(
            source_uri=source_uri,
            stage=stage,
            error_class=error_class,
            message=message,
            source_size=None if data is None else len(data),
            sample=escaped_sample(data or b""),
            source_modified=getattr(source, "modified", None),
            source_generation=getattr(source, "generation", None),
        )

    @classmethod
    def from_text(
        cls,
        source_uri: str,
        stage: str,
        error_class: str,
        message: str,
        source_size: int,
        text: str,
        source=None,
    ) -> "ErrorRecord":
        """For stages past decoding: the sample is the decoded text, the size the file's."""
        record = cls.from_bytes(
            source_uri, stage, error_class, message, text.encode("utf-8"), source
        )
        return dataclasses.replace(record, source_size=source_size)

    @classmethod
    def from_exception(cls, source, stage: str, error: Exception) -> "ErrorRecord":
        """For a step that failed on one decoded article: its class and message."""
        return cls.from_text(
            source.uri, stage, type(error).__name__, str(error), source.size, source.text, source
        )


def escaped_sample(data: bytes) -> str:
    """The first bytes as printable ASCII: `b'\\x89PNG\\r\\n'` -> `\\x89PNG\\r\\n`."""
    return codecs.escape_encode(data[:SAMPLE_BYTES])[0].decode("ascii")
