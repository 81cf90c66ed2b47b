"""ReadArticles: input URLs -> raw article bytes with their file metadata.

Example input: `["seeds/*.txt", "gs://news/incoming/"]`; each matching file
becomes a `RawArticle(uri=..., size=2909, modified=..., data=b"MOSCOW, ...")`.
A file that cannot be read becomes an `errors` row (stage `read`).
"""

import dataclasses
import datetime
import logging
import lzma

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms import storage
from transforms.errors import ERRORS, ErrorRecord

STAGE = "read"

# One element per input file, whatever becomes of it: the manifest's input count.
SOURCES = "sources"


@dataclasses.dataclass(frozen=True)
class RawArticle:
    uri: str
    size: int
    modified: datetime.datetime | None
    data: bytes


class ExpandInputsFn(beam.DoFn):
    """A glob, directory or path -> one `SourceFile` per file it names."""

    def __init__(self, storage_options: storage.StorageOptions | None = None):
        self._storage_options = dict(storage_options or {})
        self._unmatched = Metrics.counter(self.__class__, "patterns_without_files")

    def process(self, pattern: str):
        files = storage.expand_input(pattern, self._storage_options)
        if not files:
            # An empty landing folder is normal for scheduled runs: say so, don't fail.
            self._unmatched.inc()
            logging.warning("input %s matched no files", pattern)
        yield from files


class ReadFileFn(beam.DoFn):
    """`SourceFile` -> `RawArticle`, or an error row when the file cannot be read."""

    def __init__(self, storage_options: storage.StorageOptions | None = None):
        self._storage_options = dict(storage_options or {})
        self._read = Metrics.counter(self.__class__, "files_read")
        self._failed = Metrics.counter(self.__class__, "files_unreadable")

    def process(self, source: storage.SourceFile):
        yield pvalue.TaggedOutput(SOURCES, source.uri)
        try:
            data = storage.read_bytes(source.uri, self._storage_options)
        except (OSError, EOFError, ValueError, lzma.LZMAError) as error:
            # OSError covers missing/permission/network and bad .gz/.bz2 data;
            # EOFError a truncated stream; LZMAError a corrupt .xz file.
            self._failed.inc()
            yield pvalue.TaggedOutput(
                ERRORS,
                ErrorRecord(
                    source_uri=source.uri,
                    stage=STAGE,
                    error_class=type(error).__name__,
                    message=f"cannot read file: {error}",
                    source_size=source.size,
                    sample="",
                ),
            )
            return
        self._read.inc()
        yield RawArticle(uri=source.uri, size=source.size, modified=source.modified, data=data)


class ReadArticles(beam.PTransform):
    """Expands input patterns and reads every file; outputs `articles`, `errors`, `sources`."""

    def __init__(self, patterns: list[str], storage_options: storage.StorageOptions | None = None):
        super().__init__()
        self._patterns = list(patterns)
        self._storage_options = dict(storage_options or {})

    def expand(self, pbegin):
        files = (
            pbegin
            | "InputPatterns" >> beam.Create(self._patterns)
            | "ExpandInputs" >> beam.ParDo(ExpandInputsFn(self._storage_options))
            # Without a reshuffle every file stays in the one bundle that
            # expanded the pattern, and multi-process runners never fan out.
            | "SpreadFiles" >> beam.Reshuffle()
        )
        return files | "ReadFiles" >> beam.ParDo(ReadFileFn(self._storage_options)).with_outputs(
            ERRORS, SOURCES, main="articles"
        )
