"""DropDuplicateArticles: one article per distinct text, the others accounted as errors.

`article_id` is the hash of the text, so two files with the same text would
give two rows with one id and double every join. The copy with the smallest
URI is kept (deterministic on any runner); each other copy becomes an error
row of class `DuplicateArticle` naming the kept one, so inputs still equal
articles + errors.

Example input: the same story at `in/a.txt` and `in/copy/a.txt` -> the
article from `in/a.txt` plus an error row for `in/copy/a.txt`.
"""

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.errors import ERRORS, ErrorRecord

STAGE = "deduplicate"


class KeepFirstCopyFn(beam.DoFn):
    """(article_id, copies) -> the copy with the smallest URI; the rest as error rows."""

    def __init__(self):
        self._duplicates = Metrics.counter(self.__class__, "duplicate_articles")

    def process(self, keyed_copies):
        _, copies = keyed_copies
        kept, *duplicates = sorted(copies, key=lambda article: article.uri)
        yield kept
        for duplicate in duplicates:
            self._duplicates.inc()
            yield pvalue.TaggedOutput(
                ERRORS,
                ErrorRecord.from_text(
                    duplicate.uri,
                    STAGE,
                    "DuplicateArticle",
                    f"same text as {kept.uri} (article_id {kept.article_id})",
                    duplicate.size,
                    duplicate.text,
                    duplicate,
                ),
            )


class DropDuplicateArticles(beam.PTransform):
    """Decoded articles -> distinct articles (`articles`) and duplicate copies (`errors`)."""

    def expand(self, articles):
        return (
            articles
            | "KeyByArticleId" >> beam.Map(lambda article: (article.article_id, article))
            | "GroupCopies" >> beam.GroupByKey()
            | "KeepFirstCopy" >> beam.ParDo(KeepFirstCopyFn()).with_outputs(ERRORS, main="articles")
        )
