"""Mention cleanup: spaCy's spans trimmed, repaired and split into clean mentions.

Input is what spaCy found in one article body (`RawSpan`s: offsets, label,
sentence index); output is one `CleanSpan` per kept span, with offsets into the
cleaned text and a display name. No Beam, no I/O, no model.

Example: in `US National Security Advisor John Bolton's visit` spaCy tags `US
National Security` (ORG) and `John Bolton's` (PERSON). Out come a title fragment
`US National Security` (ORG, `fragment=True`) and `John Bolton` (PERSON,
possessive stripped, `end` moved back two characters).

Mention cleanup (offsets always move to the cleaned text, so
`Mention.text == body[start_char:end_char]`; a span with nothing left is dropped)
- Whitespace and stray quotes/punctuation at both ends; a trailing `.` is kept
  on abbreviations (`U.S.`, `Corp.`, `Jr.`).
- A leading `the` (`the Russian Defense Ministry` -> `Russian Defense
  Ministry`); a trailing possessive (`John Bolton's`, `John Bolton’s`,
  `Reuters'`).
- A span crossing a paragraph break keeps its longest paragraph; single line
  breaks (hard-wrapped wire copy) are ordinary spaces. A span is cut before a
  spaced dash or ` v ` (`Ian Gough - out`, `Lesotho v Malawi`).
- PERSON spans lose leading honorifics, job titles and descriptors (`Mr`,
  `Sir`, `Gen`, `President`, `Defense Minister`, `Briton`, `striker`:
  `President Vladimir Putin` -> `Vladimir Putin`), trailing lower-case or
  numeric words and adjective suffixes (`Mary be`, `Bush-style`), and anything
  after a list comma (`James, Robinson`); a bare surname takes in a team-sheet
  initial before it (`, R Williams`).
- Brackets: a span ending in an unclosed `(ABBR` that the body closes is
  extended through the `)` and a following head noun (Treaty, Agreement, Act,
  ...): `the Intermediate-Range Nuclear Forces (INF` + `) Treaty` becomes the
  mention `Intermediate-Range Nuclear Forces (INF) Treaty`, name
  `Intermediate-Range Nuclear Forces Treaty`. A span followed by `(ABBR)` +
  head noun is extended the same way. A span starting inside brackets
  (`Intermediate-Range Nuclear Forces] Treaty`) is extended back to the
  opening bracket, and to an acronym just before it (`INF [...] Treaty`).
  Other unbalanced brackets are cut off. Extensions never overlap another span.
- Names (`Entity.name`) drop parenthesised acronyms and brackets, collapse
  whitespace, and capitalise a head noun after an acronym (`(INF) treaty`).
- News agencies that spaCy tags PERSON (`Sputnik`, `Reuters`, `TASS`, ...) are
  relabelled ORG.

Title fragments (mention kept with `entity_id` None and spaCy's label; no entity)
- A non-PERSON span ending in job-title words (Advisor, Spokesman, Minister,
  Secretary, Aide, President, Chairman, ...) has them trimmed; what remains is
  a fragment when it is empty, or when it ends in a title modifier (National
  Security, Defense, Foreign, Presidential, Prime, ...) and contains no
  organisation head noun (Council, Ministry, Department, ...). A span ending in
  a title modifier right before a title word is a fragment too. So `US
  National Security` (before `Advisor`), `Russian Presidential Spokesman` and
  `Defense` (before `Minister`) are fragments, while `Russian Security
  Council` (before `Secretary`), `Kremlin` (before `Spokesman`) and `the
  Treasury` (no title after it) stay ORGs.
- A department word after `<title> of` (`Secretary of State`) is a fragment.
- A PERSON span made only of titles and honorifics (`Prime Minister`) is one.

Acronyms the text defines (`find_acronyms`: `Long Form (ABBR)`, `Long Form (ABBR
Treaty)`, `ABBR [Long Form]`, with a capitalised long form whose initials spell the
acronym) are found here too; resolution (`transforms.entities`) joins them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from anyascii import anyascii

from transforms.entity_names import (
    COUNTABLE_LABELS,
    DEPARTMENTS,
    DOT_ABBREVIATIONS,
    FUNCTION_WORDS,
    HEAD_NOUNS,
    HONORIFICS,
    NAME_PARTICLES,
    NEWS_AGENCIES,
    ORG_HEADS,
    PERSON_DESCRIPTORS,
    TITLE_MODIFIERS,
    TITLE_WORDS,
    fold_tokens,
)


@dataclass(frozen=True)
class RawSpan:
    """One spaCy entity: `ent.start_char`, `ent.end_char`, `ent.label_`, sentence index."""

    start_char: int
    end_char: int
    label: str
    sentence: int


_ABBR = r"[A-Z][A-Za-z0-9&\-]{0,10}[A-Z0-9]"
_ABBR_RE = re.compile(rf"^{_ABBR}$")
_HEADS_RE = "|".join(sorted(HEAD_NOUNS, key=len, reverse=True))
_STRIP_CHARS = "\"'“”‘’«»,;:!?*•·/\\|-–—_~#"
_OPEN = {"(": ")", "[": "]"}
_CLOSE = {")": "(", "]": "["}


# --- acronyms ---------------------------------------------------------------------------


def acronym_matches(abbr: str, long_form: str) -> bool:
    """Schwartz-Hearst: `INF` ~ `Intermediate-Range Nuclear Forces`, with the same first letter."""
    short = [c for c in abbr.casefold() if c.isalnum()]
    text = long_form.casefold()
    words = text.split()
    if len(short) < 2 or not words or words[0][0] != short[0]:
        return False
    if len(words) > len(short) + 4:
        return False
    li = len(text) - 1
    for si in range(len(short) - 1, -1, -1):
        while li >= 0 and (
            text[li] != short[si] or (si == 0 and li > 0 and text[li - 1].isalnum())
        ):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


def split_head(text: str) -> tuple[str, str]:
    """(`INF`, `Treaty`) from `INF Treaty`; (`START`, ``) from `START`."""
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and parts[1].casefold() in HEAD_NOUNS:
        return parts[0], parts[1]
    return text, ""


_BODY_DEF_AFTER = re.compile(rf"[(\[]\s*({_ABBR})(?:\s+({_HEADS_RE}))?\s*[)\]]", re.IGNORECASE)
_BODY_DEF_BEFORE = re.compile(rf"\b({_ABBR})\s*\[([^\]\n]{{3,80}})\]")


def _is_name_phrase(words: list[str]) -> bool:
    """Capitalised words joined by function words: `Court of Arbitration for Sport`."""
    if not words or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return False
    for word in words:
        if re.search(r"[()\[\],;:\"“”]", word):
            return False
        if not (word[:1].isupper() or word[:1].isdigit() or word in FUNCTION_WORDS or word == "&"):
            return False
    return True


def _initials_score(abbr: str, words: list[str]) -> int:
    """How many letters of the acronym are, in order, initials of the words."""
    initials = [w[0].casefold() for part in words for w in part.split("-") if w]
    letters = [c.casefold() for c in abbr if c.isalnum()]
    score, i = 0, 0
    for letter in letters:
        while i < len(initials) and initials[i] != letter:
            i += 1
        if i < len(initials):
            score, i = score + 1, i + 1
    return score


def find_acronyms(body: str) -> dict[str, str]:
    """Acronyms the text defines -> their long form (first definition wins).

    `the Strategic Arms Reduction Treaty (START)` -> {'START': 'Strategic Arms Reduction Treaty'}
    """
    found: dict[str, str] = {}
    for match in _BODY_DEF_AFTER.finditer(body):
        abbr, head = match.group(1), match.group(2) or ""
        if not _ABBR_RE.match(abbr) or sum(c.isupper() for c in abbr) < 2:
            continue
        before = body[max(0, match.start() - 200) : match.start()].split("\n")[-1].rstrip()
        words = before.split()
        if head and words and words[-1].casefold() == head.casefold():
            words = words[:-1]
        if words:
            words[-1] = re.sub(r"(?:['’]s|(?<=s)['’])$", "", words[-1])
        # The candidate whose word initials spell most of the acronym, then the shortest:
        # `Equal Employment Opportunity Commission (EEOC)`, not `Employment ... Commission`.
        best = None
        for n in range(1, min(len(words), len(abbr) + 4) + 1):
            candidate = words[-n:]
            if _is_name_phrase(candidate) and acronym_matches(abbr, " ".join(candidate)):
                score = _initials_score(abbr, candidate)
                if best is None or score > best[0]:
                    best = (score, " ".join(candidate))
        if best:
            found.setdefault(abbr, best[1])
    for match in _BODY_DEF_BEFORE.finditer(body):
        abbr, long_form = match.group(1), match.group(2).strip()
        if (
            sum(c.isupper() for c in abbr) >= 2
            and _is_name_phrase(long_form.split())
            and acronym_matches(abbr, long_form)
        ):
            found.setdefault(abbr, long_form)
    return found


# --- cleanup ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanSpan:
    """A span after cleanup: offsets into the body, display name, and whether it is a title."""

    start: int
    end: int
    label: str
    raw_label: str
    sentence: int
    name: str
    fragment: bool

    @property
    def countable(self) -> bool:
        return self.label in COUNTABLE_LABELS


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    """Whitespace, stray punctuation, `the`, possessives off both ends, to a fixed point."""
    while start < end:
        before = (start, end)
        while start < end and (body[start].isspace() or body[start] in _STRIP_CHARS + "."):
            start += 1
        while end > start and (body[end - 1].isspace() or body[end - 1] in _STRIP_CHARS):
            end -= 1
        if end > start and body[end - 1] == ".":
            last = body[start:end].split()[-1]
            if not (
                re.fullmatch(r"(?:[A-Za-z]\.){2,}", last)
                or last[:-1].casefold() in DOT_ABBREVIATIONS
            ):
                end -= 1
        text = body[start:end]
        determiner = re.match(r"the\s+", text, re.IGNORECASE)
        if determiner and end - start > determiner.end():
            start += determiner.end()
        possessive = re.search(r"(?:['’][sS]|(?<=[sS])['’])$", body[start:end])
        if possessive and possessive.start() > 0:
            end = start + possessive.start()
        # A bracket pair wrapping the whole span: `(INF)` -> `INF`.
        if end - start > 2 and body[start] in _OPEN and body[end - 1] == _OPEN[body[start]]:
            start, end = start + 1, end - 1
        if (start, end) == before:
            break
    return start, end


def _unbalanced(text: str) -> tuple[int | None, int | None]:
    """Index of the first closer without opener, and of the last opener without closer."""
    stack: list[int] = []
    first_closer = None
    for i, c in enumerate(text):
        if c in _OPEN:
            stack.append(i)
        elif c in _CLOSE:
            if stack and text[stack[-1]] == _CLOSE[c]:
                stack.pop()
            elif first_closer is None:
                first_closer = i
    return first_closer, (stack[-1] if stack else None)


def _repair_brackets(body: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Extend or cut a span so its brackets balance; never past the neighbours `lo`/`hi`."""
    closer, opener = _unbalanced(body[start:end])
    if opener is not None:
        p = start + opener
        inner = body[p + 1 : end].strip()
        close = re.match(r"\s*[)\]]", body[end:])
        if close and _ABBR_RE.match(inner) and end + close.end() <= hi:
            new_end = end + close.end()
            head = re.match(rf"\s+(?:{_HEADS_RE})\b", body[new_end:], re.IGNORECASE)
            if head and new_end + head.end() <= hi:
                new_end += head.end()
            end = new_end
        else:
            end = p
    elif closer is not None:
        c = start + closer
        q = body.rfind(_CLOSE[body[c]], max(lo, start - 120), start)
        if q >= 0 and "\n" not in body[q:start] and _unbalanced(body[q : c + 1]) == (None, None):
            start = q
            abbr = re.search(rf"(?<![\w\-])({_ABBR})\s*$", body[max(lo, q - 15) : q])
            if abbr and acronym_matches(abbr.group(1), body[q + 1 : c]):
                start = max(lo, q - 15) + abbr.start()
        else:
            start = c + 1
    return start, end


def _extend_after_acronym(body: str, end: int, hi: int) -> int:
    """`Intermediate-Range Nuclear Forces` + ` (INF) treaty` -> extended through `treaty`."""
    match = re.match(
        rf"\s*[(\[]\s*({_ABBR})\s*[)\]]\s+(?:{_HEADS_RE})\b", body[end:], re.IGNORECASE
    )
    if match and end + match.end() <= hi:
        return end + match.end()
    return end


def render_name(text: str) -> str:
    """The display name of a cleaned mention: brackets resolved, whitespace collapsed.

    `Intermediate-Range Nuclear Forces (INF) treaty` -> `Intermediate-Range Nuclear Forces Treaty`;
    `INF [Intermediate-Range Nuclear Forces] Treaty` -> the same.
    """
    text = " ".join(text.split())
    m = re.fullmatch(rf"({_ABBR})\s*[(\[]([^)\]]+)[)\]]\s*(.*)", text)
    if m and acronym_matches(m.group(1), m.group(2)):
        return _join_rest(m.group(2).strip(), m.group(3))
    m = re.fullmatch(rf"(.+?)\s*[(\[]\s*({_ABBR})(?:\s+\w+)?\s*[)\]]\s*(.*)", text)
    if m and acronym_matches(m.group(2), split_head(m.group(1))[0]):
        return _join_rest(m.group(1).strip(), m.group(3))
    text = re.sub(r"\s*\([^()]*\)", "", text)
    text = text.replace("[", "").replace("]", "")
    return " ".join(text.split())


def _join_rest(long_form: str, rest: str) -> str:
    rest = rest.strip()
    if rest.casefold() in HEAD_NOUNS and long_form[:1].isupper():
        rest = rest[:1].upper() + rest[1:]
    return f"{long_form} {rest}".strip()


def _folded(word: str) -> str:
    return re.sub(r"[^a-z]", "", anyascii(word).casefold())


def _next_is_title(body: str, end: int) -> bool:
    """The words right after `end` are job-title words: ` Minister`, ` Security Advisor`."""
    words = re.match(r"(?:[ \t]+[A-Za-z\-]+){1,3}", body[end:])
    if not words:
        return False
    folded = [_folded(w) for w in words.group(0).split()]
    for word in folded:
        if word in TITLE_WORDS:
            return True
        if word not in TITLE_MODIFIERS:
            return False
    return False


_PERSON_PREFIXES = HONORIFICS | TITLE_WORDS | TITLE_MODIFIERS | PERSON_DESCRIPTORS


def _strip_person_titles(body: str, start: int, end: int) -> int:
    """`President Vladimir Putin` -> start of `Vladimir Putin`; keeps at least one token."""
    while True:
        match = re.match(r"(\S+)\s+(?=\S)", body[start:end])
        if not match:
            return start
        word = _folded(match.group(1))
        if word in _PERSON_PREFIXES:
            start += match.end()
        else:
            return start


_SEPARATOR = re.compile(r"\s+[-–—]+\s+|\s+vs?\.?\s+")
_PERSON_COMMA = re.compile(r",\s+(?!(?:Jr|Sr|II|III|IV)\b)")
_INITIAL_BEFORE = re.compile(
    r"(?:(?:^|[,;(])[ \t]*([A-Z])\.?|(?:^|\n)[ \t]*([B-HJ-Z]|[A-Z]\.))[ \t]+$"
)


# `George Bush-style`, `Blair-led`: an adjective made from the name.
_ADJECTIVE_SUFFIX = re.compile(r"(?<=\w)-(?:style|era|led|backed|based|like|esque|owned)$")


def _cut_separators(body: str, start: int, end: int, label: str) -> int:
    """`Lesotho v Malawi`, `Ian Gough - out`, `James, Robinson`: the end of the first part."""
    text = body[start:end]
    cuts = [m.start() for m in _SEPARATOR.finditer(text)]
    if label == "PERSON":
        cuts += [m.start() for m in _PERSON_COMMA.finditer(text)]
    return start + min(cuts) if cuts else end


def _tidy_person(body: str, start: int, end: int, lo: int) -> tuple[int, int]:
    """Trailing lower-case or numeric words off a PERSON span (`Mary be`, `Varig 2bn`,
    `Bush-style`), and a team-sheet initial just before it on (`, R Williams`)."""
    while True:
        match = re.search(r"\s+(\S+)$", body[start:end])
        if not match:
            break
        word = match.group(1)
        if word[:1].islower() or any(c.isdigit() for c in word):
            end = start + match.start()
        else:
            break
    suffix = _ADJECTIVE_SUFFIX.search(body[start:end])
    if suffix:
        end = start + suffix.start()
    initial = _INITIAL_BEFORE.search(body[max(lo, start - 6) : start])
    if initial and " " not in body[start:end].strip():
        start = max(lo, start - 6) + initial.start(1 if initial.group(1) else 2)
    return start, end


def _title_fragment(body: str, start: int, end: int, label: str) -> tuple[int, bool]:
    """(new end, is a fragment) for a title-shaped span; see the module docstring."""
    tokens = body[start:end].split()
    folded = [_folded(t) for t in tokens]
    if label == "PERSON":
        vocabulary = TITLE_WORDS | TITLE_MODIFIERS | HONORIFICS
        return end, bool(folded) and all(f in vocabulary for f in folded)
    trimmed = False
    while tokens and folded[-1] in TITLE_WORDS:
        tokens, folded, trimmed = tokens[:-1], folded[:-1], True
    if trimmed:
        if not tokens or folded[-1] in FUNCTION_WORDS:
            return end, True
        end = start + body[start:end].rfind(tokens[-1]) + len(tokens[-1])
    modifier_end = folded[-1] in TITLE_MODIFIERS and not any(f in ORG_HEADS for f in folded)
    if modifier_end and (trimmed or _next_is_title(body, end)):
        return end, True
    if all(f in DEPARTMENTS for f in folded):
        title = re.search(r"([A-Za-z\-]+)\s+of\s+(?:the\s+)?$", body[max(0, start - 40) : start])
        if title and _folded(title.group(1)) in TITLE_WORDS:
            return end, True
    return end, False


def _largest_paragraph(body: str, start: int, end: int) -> tuple[int, int]:
    text = body[start:end]
    if not re.search(r"\n\s*\n", text):
        return start, end
    pieces = [(m.start(), m.end()) for m in re.finditer(r"(?:(?!\n\s*\n).)+", text, re.S)]
    a, b = max(pieces, key=lambda piece: piece[1] - piece[0])
    return start + a, start + b


def clean_span(body: str, span: RawSpan, lo: int = 0, hi: int | None = None) -> CleanSpan | None:
    """A spaCy span cleaned; None when nothing is left. `lo`/`hi` bound any extension."""
    hi = len(body) if hi is None else hi
    start, end = max(0, span.start_char), min(len(body), span.end_char)
    label = span.label
    if label not in COUNTABLE_LABELS:
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        text = body[start:end]
        return CleanSpan(start, end, label, label, span.sentence, " ".join(text.split()), False)
    start, end = _largest_paragraph(body, start, end)
    end = _cut_separators(body, start, end, label)
    for _ in range(3):
        start, end = _trim(body, start, end)
        before = (start, end)
        start, end = _repair_brackets(body, start, end, lo, hi)
        if (start, end) == before:
            break
    start, end = _trim(body, start, end)
    if start >= end:
        return None
    end = _extend_after_acronym(body, end, hi)
    new_end, fragment = _title_fragment(body, start, end, label)
    if fragment:
        return CleanSpan(
            start, end, label, label, span.sentence, render_name(body[start:end]), True
        )
    end = new_end
    if label == "PERSON":
        start = _strip_person_titles(body, start, end)
        start, end = _tidy_person(body, start, end, lo)
    name = render_name(body[start:end])
    if not fold_tokens(name):
        return None
    if label == "PERSON" and "".join(fold_tokens(name)) in NEWS_AGENCIES:
        label = "ORG"
    return CleanSpan(start, end, label, span.label, span.sentence, name, False)


# Inside a PERSON span, a number or another lower-case word glues names together, as in
# cricket scorecards and results: `Younis st Germon b Harris`, `Afridi 2 J. Vaughan`.
_GLUE_WORD = re.compile(r"\S+")


def split_glued_people(body: str, span: RawSpan) -> list[RawSpan]:
    """A PERSON span cut at its glue words into the names around them (glue dropped)."""
    if span.label != "PERSON":
        return [span]
    pieces, piece_start, piece_end, glued = [], None, None, False
    for word in _GLUE_WORD.finditer(body, span.start_char, span.end_char):
        text = word.group(0)
        glue = any(c.isdigit() for c in text) or (
            text[:1].islower() and text.rstrip(".").casefold() not in NAME_PARTICLES
        )
        if glue:
            glued = True
            if piece_start is not None:
                pieces.append((piece_start, piece_end))
            piece_start = None
            continue
        if piece_start is None:
            piece_start = word.start()
        piece_end = word.end()
    if piece_start is not None:
        pieces.append((piece_start, piece_end))
    if not glued:
        return [span]
    return [RawSpan(start, end, span.label, span.sentence) for start, end in pieces]


def clean_spans(body: str, spans: Sequence[RawSpan]) -> list[CleanSpan]:
    """Every span cleaned, in body order; extensions stop at the neighbouring spans."""
    spans = [piece for span in spans for piece in split_glued_people(body, span)]
    ordered = sorted(spans, key=lambda s: (s.start_char, s.end_char))
    cleaned = []
    for i, span in enumerate(ordered):
        lo = ordered[i - 1].end_char if i > 0 else 0
        hi = ordered[i + 1].start_char if i + 1 < len(ordered) else len(body)
        result = clean_span(body, span, lo, max(hi, span.end_char))
        if result is not None:
            cleaned.append(result)
    return cleaned
