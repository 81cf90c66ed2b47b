"""ParseHeaders: decoded text -> title, dateline, agencies, published date and body.

Example input: `DecodedArticle(text="MOSCOW, October 23. /TASS/. Russian ...",
modified=2018-10-24T09:00Z)` -> `ParsedArticle` with dateline `MOSCOW`,
agencies `("TASS",)`, published_date 2018-10-23 from `dateline+reference`, and
a body starting `Russian`. The parsing rules live in `transforms.headers`.
"""

import dataclasses

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.decode_text import DecodedArticle
from transforms.errors import ERRORS, ErrorRecord
from transforms.headers import Header, parse_header
from transforms.places import load_gazetteer

STAGE = "parse_headers"


@dataclasses.dataclass(frozen=True)
class ParsedArticle:
    source: DecodedArticle
    header: Header


class ParseHeadersFn(beam.DoFn):
    """`DecodedArticle` -> `ParsedArticle`; the file's modified time resolves year-less dates."""

    def __init__(self):
        self._parsed = Metrics.counter(self.__class__, "articles_parsed")
        self._undated = Metrics.counter(self.__class__, "articles_without_date")
        self._failed = Metrics.counter(self.__class__, "parser_failures")

    def setup(self):
        # The gazetteer takes seconds to load; pay for it once per worker, up front.
        load_gazetteer()

    def process(self, article: DecodedArticle):
        try:
            header = parse_header(article.text, reference=article.modified)
        except Exception as error:  # noqa: BLE001 - dead letter for parser bugs
            # The parser is property-tested never to raise; if it still does on
            # some text, that article becomes an error row instead of failing
            # (and, in streaming, endlessly retrying) the whole bundle.
            self._failed.inc()
            yield pvalue.TaggedOutput(
                ERRORS,
                ErrorRecord.from_text(
                    article.uri,
                    STAGE,
                    type(error).__name__,
                    str(error),
                    article.size,
                    article.text,
                    article,
                ),
            )
            return
        self._parsed.inc()
        if header.published_date is None:
            self._undated.inc()
        yield ParsedArticle(source=article, header=header)


class ParseHeaders(beam.PTransform):
    """Decoded articles -> parsed articles (`articles`) and error rows (`errors`)."""

    def expand(self, articles):
        return articles | "ParseHeader" >> beam.ParDo(ParseHeadersFn()).with_outputs(
            ERRORS, main="articles"
        )
