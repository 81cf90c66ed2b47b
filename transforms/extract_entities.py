"""ExtractEntities: spaCy NER on each body -> cleaned mentions and canonical entities.

Example input: a `ParsedArticle` whose body is `Russian Defense Minister Sergei
Shoigu has stated ...` -> an `AnnotatedArticle` with a PERSON entity
`Sergei Shoigu` whose mentions include the later bare `Shoigu`. Cleanup rules
live in `transforms.entity_spans`, resolution rules in `transforms.entities` and
identity in `transforms.entity_names`; the model loads once per worker in
`setup()` and bodies go through `nlp.pipe` in batches.
"""

import dataclasses

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.entities import Entity, Mention, RawSpan, resolve_entities
from transforms.errors import ERRORS, ErrorRecord
from transforms.nlp import MODEL_NAME, load_ner_model
from transforms.parse_headers import ParsedArticle

STAGE = "extract_entities"


class BodyTooLong(ValueError):
    """A body over the model's `max_length` (1M characters): spaCy refuses it (E088)."""


@dataclasses.dataclass(frozen=True)
class AnnotatedArticle:
    parsed: ParsedArticle
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]


def raw_spans(doc) -> list[RawSpan]:
    """spaCy's entities with the index of the sentence each starts in."""
    sentence_of_token = {}
    for index, sentence in enumerate(doc.sents):
        for token in sentence:
            sentence_of_token[token.i] = index
    return [
        RawSpan(
            start_char=ent.start_char,
            end_char=ent.end_char,
            label=ent.label_,
            sentence=sentence_of_token.get(ent.start, 0),
        )
        for ent in doc.ents
    ]


class ExtractEntitiesFn(beam.DoFn):
    """A batch of `ParsedArticle`s -> `AnnotatedArticle`s, one model per worker."""

    def __init__(self, model_name: str = MODEL_NAME):
        self._model_name = model_name
        self._nlp = None
        self._annotated = Metrics.counter(self.__class__, "articles_annotated")
        self._mentions = Metrics.counter(self.__class__, "mentions")
        self._failed = Metrics.counter(self.__class__, "articles_failed")

    def setup(self):
        self._nlp = load_ner_model(self._model_name)

    def _annotate(self, article: ParsedArticle, doc):
        """An `AnnotatedArticle`, or an error row if resolution fails on this article."""
        try:
            mentions, entities = resolve_entities(article.header.body, raw_spans(doc))
        except Exception as error:  # noqa: BLE001 - dead letter for resolver bugs
            return self._error(article, error)
        self._annotated.inc()
        self._mentions.inc(len(mentions))
        return AnnotatedArticle(parsed=article, mentions=tuple(mentions), entities=tuple(entities))

    def _error(self, article: ParsedArticle, error: Exception):
        self._failed.inc()
        source = article.source
        return pvalue.TaggedOutput(
            ERRORS,
            ErrorRecord.from_text(
                source.uri,
                STAGE,
                type(error).__name__,
                str(error),
                source.size,
                source.text,
                source,
            ),
        )

    def _doc_or_error(self, body: str):
        try:
            return self._nlp(body)
        except Exception as error:  # noqa: BLE001 - dead letter for model failures
            return error

    def process(self, batch: list[ParsedArticle]):
        # Strings a batch adds to the model's vocabulary are freed when the zone
        # closes, so a long run or a streaming watch does not grow without bound.
        with self._nlp.memory_zone():
            results = list(self._annotate_batch(batch))
        yield from results

    def _annotate_batch(self, batch: list[ParsedArticle]):
        fitting = []
        for article in batch:
            if len(article.header.body) > self._nlp.max_length:
                yield self._error(
                    article,
                    BodyTooLong(
                        f"body has {len(article.header.body)} characters, "
                        f"over the model's limit of {self._nlp.max_length}"
                    ),
                )
            else:
                fitting.append(article)
        for chunk in chunks_by_characters(fitting, MAX_CHARACTERS_PER_PIPE):
            yield from self._annotate_chunk(chunk)

    def _annotate_chunk(self, chunk: list[ParsedArticle]):
        try:
            bodies = (article.header.body for article in chunk)
            docs = list(self._nlp.pipe(bodies, batch_size=len(chunk)))
        except Exception:  # noqa: BLE001 - redo one by one so only the culprit is lost
            docs = [self._doc_or_error(article.header.body) for article in chunk]
        for article, doc in zip(chunk, docs, strict=True):
            yield (
                self._error(article, doc)
                if isinstance(doc, Exception)
                else self._annotate(article, doc)
            )


# The model's working memory grows with the text it annotates at once: 64 long BBC
# stories (429k characters) in one `nlp.pipe` batch took 589 MiB more, in batches of
# at most 50k characters 150 MiB, and ran faster. Documents are never split.
MAX_CHARACTERS_PER_PIPE = 50_000


def chunks_by_characters(articles: list[ParsedArticle], limit: int) -> list[list[ParsedArticle]]:
    """Consecutive runs of `articles` whose bodies total at most `limit` characters
    (a longer body alone), in order: [4k, 30k, 20k, 60k] chars -> [[4k, 30k], [20k], [60k]]."""
    chunks: list[list[ParsedArticle]] = []
    size = 0
    for article in articles:
        length = len(article.header.body)
        if not chunks or size + length > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(article)
        size += length
    return chunks


class ExtractEntities(beam.PTransform):
    """Parsed articles -> annotated articles (`articles`) and error rows (`errors`)."""

    def __init__(self, batch_size: int = 64, model_name: str = MODEL_NAME):
        super().__init__()
        self._batch_size = batch_size
        self._model_name = model_name

    def expand(self, articles):
        return (
            articles
            | "BatchForModel"
            >> beam.BatchElements(min_batch_size=1, max_batch_size=self._batch_size)
            | "RunNer"
            >> beam.ParDo(ExtractEntitiesFn(self._model_name)).with_outputs(ERRORS, main="articles")
        )
