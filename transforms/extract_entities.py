"""ExtractEntities: spaCy NER on each body -> cleaned mentions and canonical entities.

Example input: a `ParsedArticle` whose body is `Russian Defense Minister Sergei
Shoigu has stated ...` -> an `AnnotatedArticle` with a PERSON entity
`Sergei Shoigu` whose mentions include the later bare `Shoigu`. Cleanup rules
live in `transforms.entity_spans`, resolution rules in `transforms.entities` and
identity in `transforms.entity_names`; the model loads once per worker in
`setup()` and bodies go through `nlp.pipe` in batches of at most 50k
characters; a longer body goes through in segments whose entities are put back
at their offsets in the whole body, so no article is too long for the model.
Each body's language is detected first (`transforms.language`): a language no
model covers gets no entities, one `--language_models` maps goes to its model.
"""

import dataclasses
from collections import defaultdict

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms import language
from transforms.entities import Entity, Mention, RawSpan, resolve_entities
from transforms.errors import ERRORS, ErrorRecord
from transforms.nlp import MODEL_NAME, load_ner_model
from transforms.parse_headers import ParsedArticle

STAGE = "extract_entities"
# Counters named by language code: articles that no model annotated.
UNMODELLED_NAMESPACE = "dateline.language_without_model"


@dataclasses.dataclass(frozen=True)
class AnnotatedArticle:
    parsed: ParsedArticle
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]
    language: str | None = None
    # Set by ResolvePlaces (transforms/resolve_places.py): gazetteer `Place`s.
    dateline_place: object = None
    focus: object = None


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

    def __init__(self, model_name: str = MODEL_NAME, language_models: dict | None = None):
        self._model_name = model_name
        self._language_models = dict(language_models or {})
        self._models = {}
        self._nlp = None
        self._annotated = Metrics.counter(self.__class__, "articles_annotated")
        self._mentions = Metrics.counter(self.__class__, "mentions")
        self._failed = Metrics.counter(self.__class__, "articles_failed")

    def setup(self):
        for name in {self._model_name, *self._language_models.values()}:
            self._models[name] = load_ner_model(name)
        self._nlp = self._models[self._model_name]  # --model
        self._default_language = self._nlp.lang
        self._identifier = language.load_identifier()

    def _annotate(self, article: ParsedArticle, spans: list[RawSpan], language_code):
        """An `AnnotatedArticle`, or an error row if resolution fails on this article."""
        try:
            mentions, entities = resolve_entities(article.header.body, spans)
        except Exception as error:  # noqa: BLE001 - dead letter for resolver bugs
            return self._error(article, error)
        self._annotated.inc()
        self._mentions.inc(len(mentions))
        return AnnotatedArticle(article, tuple(mentions), tuple(entities), language_code)

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

    def process(self, batch: list[ParsedArticle]):
        by_model = defaultdict(list)
        for article in batch:
            code = language.detect_language(self._identifier, article.header.body)
            model = language.model_for(
                code, self._default_language, self._model_name, self._language_models
            )
            if model is None:
                # Counted by language for the run's summary (pipeline/main.py).
                Metrics.counter(UNMODELLED_NAMESPACE, code).inc()
                yield AnnotatedArticle(article, (), (), code)
            else:
                by_model[model].append((article, code))
        for model, articles in by_model.items():
            nlp = self._models[model]
            # Strings a batch adds to the model's vocabulary are freed when the zone
            # closes, so a long run or a streaming watch does not grow without bound.
            with nlp.memory_zone():
                results = self._annotate_batch(nlp, articles)
            yield from results

    def _annotate_batch(self, nlp, batch: list[tuple[ParsedArticle, str | None]]) -> list:
        segments = [
            Segment(index, offset, text)
            for index, (article, _) in enumerate(batch)
            for offset, text in body_segments(article.header.body, MAX_CHARACTERS_PER_PIPE)
        ]
        spans: list[list[RawSpan]] = [[] for _ in batch]
        sentences = [0] * len(batch)
        failures: dict[int, Exception] = {}
        for chunk in chunks_by_characters(segments, MAX_CHARACTERS_PER_PIPE):
            for segment, doc in zip(chunk, self._docs_or_errors(nlp, chunk), strict=True):
                index = segment.article_index
                if isinstance(doc, Exception):
                    failures.setdefault(index, doc)
                    continue
                # Docs are dropped as soon as their spans are taken, so a long body
                # holds one segment's tokens at a time.
                spans[index].extend(shifted_spans(doc, segment.offset, sentences[index]))
                sentences[index] += sentences_before_next_segment(doc)
        return [
            self._error(article, failures[index])
            if index in failures
            else self._annotate(article, spans[index], code)
            for index, (article, code) in enumerate(batch)
        ]

    def _docs_or_errors(self, nlp, chunk: list["Segment"]) -> list:
        try:
            return list(nlp.pipe((segment.text for segment in chunk), batch_size=len(chunk)))
        except Exception:  # noqa: BLE001 - redo one by one so only the culprit is lost
            return [self._doc_or_error(nlp, segment.text) for segment in chunk]

    def _doc_or_error(self, nlp, text: str):
        try:
            return nlp(text)
        except Exception as error:  # noqa: BLE001 - dead letter for model failures
            return error


def shifted_spans(doc, offset: int, sentence_offset: int) -> list[RawSpan]:
    """`raw_spans(doc)` of a segment starting at character `offset` of its body,
    after `sentence_offset` sentences: positions in the whole body."""
    return [
        dataclasses.replace(
            span,
            start_char=span.start_char + offset,
            end_char=span.end_char + offset,
            sentence=span.sentence + sentence_offset,
        )
        for span in raw_spans(doc)
    ]


def sentences_before_next_segment(doc) -> int:
    """Sentences of a segment, less a trailing one of only whitespace: in the whole
    body that whitespace begins the next segment's first sentence."""
    sentences = list(doc.sents)
    if sentences and sentences[-1].text.isspace():
        return len(sentences) - 1
    return len(sentences)


# The model's working memory grows with the text it annotates at once: 64 long BBC
# stories (429k characters) in one `nlp.pipe` batch took 589 MiB more, in batches of
# at most 50k characters 150 MiB, and ran faster. A longer body is annotated in
# segments of at most this size, which also lifts spaCy's limit (`max_length`, 1M
# characters): a 5M-character body is annotated whole.
MAX_CHARACTERS_PER_PIPE = 50_000

# Where a long body is cut, best first: a paragraph break, a line break, a
# sentence end, a space. Entities do not cross these (except the last).
_SEGMENT_BOUNDARIES = ("\n\n", "\n", ". ", " ")


@dataclasses.dataclass(frozen=True)
class Segment:
    """`text` starts at character `offset` of the body of the batch's article `article_index`."""

    article_index: int
    offset: int
    text: str


def body_segments(body: str, limit: int) -> list[tuple[int, str]]:
    """(offset, text) pieces of `body`, each at most `limit` characters, that join to
    `body`; each cut is at the best boundary in the second half of the piece:
    `body_segments("One.\n\nTwo three.", 10)` -> `[(0, "One.\n\n"), (6, "Two three.")]`."""
    segments = []
    start = 0
    while len(body) - start > limit:
        end = _cut_before(body, start, start + limit)
        segments.append((start, body[start:end]))
        start = end
    segments.append((start, body[start:]))
    return segments


def _cut_before(body: str, start: int, limit_end: int) -> int:
    earliest = start + max(1, (limit_end - start) // 2)
    for boundary in _SEGMENT_BOUNDARIES:
        found = body.rfind(boundary, earliest, limit_end)
        if found != -1:
            return found + len(boundary)
    return limit_end


def chunks_by_characters(segments: list[Segment], limit: int) -> list[list[Segment]]:
    """Consecutive runs of `segments` whose texts total at most `limit` characters
    (a longer segment alone), in order: [4k, 30k, 20k, 60k] chars -> [[4k, 30k], [20k], [60k]]."""
    chunks: list[list[Segment]] = []
    size = 0
    for segment in segments:
        length = len(segment.text)
        if not chunks or size + length > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(segment)
        size += length
    return chunks


class ExtractEntities(beam.PTransform):
    """Parsed articles -> annotated articles (`articles`) and error rows (`errors`)."""

    def __init__(self, batch_size: int = 64, model_name: str = MODEL_NAME, language_models=None):
        super().__init__()
        self._batch_size = batch_size
        self._model_name = model_name
        self._language_models = dict(language_models or {})

    def expand(self, articles):
        return (
            articles
            | "BatchForModel"
            >> beam.BatchElements(min_batch_size=1, max_batch_size=self._batch_size)
            | "RunNer"
            >> beam.ParDo(ExtractEntitiesFn(self._model_name, self._language_models)).with_outputs(
                ERRORS, main="articles"
            )
        )
