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

from transforms import dataset_log, progress, storage
from transforms.commit_plan import fingerprint, ingested_fingerprints
from transforms.errors import ERRORS, ErrorRecord

STAGE = "read"

# One element per input file read, whatever becomes of it: the manifest's input count.
SOURCES = "sources"
# One element per input file the ledger says was ingested unchanged.
SKIPPED = "skipped"


@dataclasses.dataclass(frozen=True)
class RawArticle:
    uri: str
    size: int
    modified: datetime.datetime | None
    data: bytes
    generation: str | None = None


class ExpandInputsFn(beam.DoFn):
    """A glob, directory or path -> one `SourceFile` per file it names."""

    def __init__(self, storage_options: storage.StorageOptions | None = None):
        self._storage_options = dict(storage_options or {})
        self._unmatched = Metrics.counter(self.__class__, "patterns_without_files")

    def process(self, pattern: str):
        files = storage.expand_input(pattern, self._storage_options)
        progress.note("matched", len(files))
        if not files:
            # An empty landing folder is normal for scheduled runs: say so, don't fail.
            self._unmatched.inc()
            logging.warning("input %s matched no files", pattern)
        yield from files


class SkipIngestedFn(beam.DoFn):
    """`SourceFile` -> itself when new or changed since its ledger entry, else to `skipped`.

    The ledger is read once per worker in `setup()`; with `reprocess` every file passes.
    """

    def __init__(self, output: str, storage_options=None, reprocess: bool = False):
        self._output = output
        self._storage_options = dict(storage_options or {})
        self._reprocess = reprocess
        self._skipped = Metrics.counter(self.__class__, "files_skipped_unchanged")

    def setup(self):
        self._ingested = {}
        if not self._reprocess:
            self._ingested = dataset_log.read_newest(
                self._output,
                lambda snapshot: ingested_fingerprints(snapshot, self._storage_options),
                self._storage_options,
            )

    def process(self, source: storage.SourceFile):
        if self._ingested.get(source.uri) == fingerprint(source):
            self._skipped.inc()
            progress.note("skipped")
            yield pvalue.TaggedOutput(SKIPPED, source.uri)
            return
        yield source


class ReadFileFn(beam.DoFn):
    """`SourceFile` -> `RawArticle`, or an error row when the file cannot be read."""

    def __init__(self, storage_options: storage.StorageOptions | None = None):
        self._storage_options = dict(storage_options or {})
        self._read = Metrics.counter(self.__class__, "files_read")
        self._failed = Metrics.counter(self.__class__, "files_unreadable")

    def process(self, source: storage.SourceFile):
        yield pvalue.TaggedOutput(SOURCES, source.uri)
        try:
            data = storage.read_bytes(
                source.uri, self._storage_options, limit=storage.MAX_ARTICLE_BYTES
            )
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
                    source_modified=source.modified,
                    source_generation=source.generation,
                ),
            )
            return
        self._read.inc()
        yield RawArticle(
            uri=source.uri,
            size=source.size,
            modified=source.modified,
            data=data,
            generation=source.generation,
        )


def count_as(name: str):
    """A PTransform counting its input as one (name, n) pair, 0 when empty."""
    return beam.combiners.Count.Globally() | f"As{name}" >> beam.Map(lambda n: (name, n))


class ReadArticles(beam.PTransform):
    """Expands input patterns, skips files ingested unchanged, reads the rest.

    Outputs `articles`, `errors`, `sources` (one per file read) and `listing`
    (('files_matched' | 'skipped_unchanged' | 'files_read', n) counts). Without
    `output` (tests), nothing is skipped.
    """

    def __init__(
        self,
        patterns: list[str],
        storage_options: storage.StorageOptions | None = None,
        output: str | None = None,
        reprocess: bool = False,
    ):
        super().__init__()
        self._patterns = list(patterns)
        self._storage_options = dict(storage_options or {})
        self._output = output
        self._reprocess = reprocess or output is None

    def expand(self, pbegin):
        matched = (
            pbegin
            | "InputPatterns" >> beam.Create(self._patterns)
            | "ExpandInputs" >> beam.ParDo(ExpandInputsFn(self._storage_options))
        )
        checked = matched | "SkipIngested" >> beam.ParDo(
            SkipIngestedFn(self._output, self._storage_options, self._reprocess)
        ).with_outputs(SKIPPED, main="files")
        # Without a reshuffle every file stays in the one bundle that
        # expanded the pattern, and multi-process runners never fan out.
        files = checked.files | "SpreadFiles" >> beam.Reshuffle()
        read = files | "ReadFiles" >> beam.ParDo(ReadFileFn(self._storage_options)).with_outputs(
            ERRORS, SOURCES, main="articles"
        )
        listing = (
            matched | "CountMatched" >> count_as("files_matched"),
            checked[SKIPPED] | "CountSkipped" >> count_as("skipped_unchanged"),
            read[SOURCES] | "CountRead" >> count_as("files_read"),
        ) | "Listing" >> beam.Flatten()
        return {
            "articles": read.articles,
            ERRORS: read[ERRORS],
            SOURCES: read[SOURCES],
            "listing": listing,
        }
