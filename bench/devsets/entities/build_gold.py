"""Build the AIDA CoNLL-YAGO entity-linking gold set (``gold.jsonl``) from its two inputs.

    python bench/devsets/entities/build_gold.py ANNOTATIONS CONLL_DIR [--out PATH]

ANNOTATIONS is ``AIDA-YAGO2-annotations.tsv`` from the AIDA CoNLL-YAGO distribution
(one ``-DOCSTART- (<docid>)`` line per document, then one line per mention:
``token-index TAB yago-entity-or---NME-- [TAB wikipedia-url TAB wikipedia-id [TAB mid]]``).
CONLL_DIR holds CoNLL-2003 English ``train.txt``, ``valid.txt``, ``test.txt`` (the
``eng.train``/``eng.testa``/``eng.testb`` files; ``token POS chunk NER`` per line,
``-DOCSTART-`` lines between documents, blank lines between sentences). The NER tags may
be IOB1 or IOB2.

A mention starts at the annotated token and runs over the following tokens of the same
CoNLL NER type (B-/I- prefixes ignored, as in the jar shipped with AIDA, which builds
``AIDA-YAGO2-dataset.tsv`` this way). Output: one JSON document per line, see README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

SPLITS = (("train", "train.txt"), ("testa", "valid.txt"), ("testb", "test.txt"))
DATE_RE = re.compile(r"^(19|20)\d\d-[01]\d-[0-3]\d$")
WIKI_PREFIX = "http://en.wikipedia.org/wiki/"

# Tokens written flush against the token before them.
# fmt: off
NO_SPACE_BEFORE = {",", ".", ")", "]", "}", ":", ";", "?", "!", "%", "'s", "'S", "n't", "N'T",
                   "'re", "'ve", "'ll", "'d", "'m", "'RE", "'VE", "'LL", "'D", "'M"}
# fmt: on
# Tokens written flush against the token after them.
NO_SPACE_AFTER = {"(", "[", "{", "$"}


@dataclass
class Doc:
    """One CoNLL document: tokens, NER tags and the sentence index of each token."""

    split: str
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)


def read_conll(path: Path, split: str) -> list[Doc]:
    """Read a CoNLL-2003 file into documents (a ``-DOCSTART-`` line opens each one)."""
    docs: list[Doc] = []
    sent_no = 0
    pending_break = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append(Doc(split))
            sent_no, pending_break = 0, False
            continue
        if not line.strip():
            pending_break = True
            continue
        doc = docs[-1]
        if pending_break and doc.tokens:
            sent_no += 1
        pending_break = False
        cols = line.split()
        doc.tokens.append(cols[0])
        doc.tags.append(cols[-1])
        doc.sent.append(sent_no)
    return docs


def read_annotations(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Read ``AIDA-YAGO2-annotations.tsv`` into ``[(aida_docid, [row, ...]), ...]``."""
    out: list[tuple[str, list[list[str]]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART- ("):
            out.append((line[len("-DOCSTART- (") : -1], []))
        elif line.strip():
            out[-1][1].append(line.split("\t"))
    return out


def ner_type(tag: str) -> str | None:
    """``B-PER``/``I-PER`` -> ``PER``; ``O`` -> None."""
    return tag[2:] if tag[:2] in ("B-", "I-") else None


def quote_closes(tokens: list[str], i: int, is_open: bool, mark: str) -> bool:
    """Whether the quote ``tokens[i]`` closes a quotation (else it opens one)."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    prev = tokens[i - 1] if i > 0 else None
    if prev is None:
        return False
    if nxt is None or nxt in NO_SPACE_BEFORE or prev in (",", ".", "?", "!"):
        return True
    if mark == "'" and not is_open and prev[-1:] in ("s", "S") and prev.isalpha():
        return True  # possessive: "players ' union"
    return is_open


def detokenize(tokens: list[str], dq_open: bool = False) -> tuple[str, list[int], bool]:
    """Join one line's tokens: the text, each token's start offset, and the quote state.

    A quote mark (``"`` or a lone ``'``) at the start of a line opens, one at the end of
    a line or next to , . ? ! closes; otherwise it toggles the open/closed state that
    ``dq_open`` carries for ``"`` across the lines of a document. Openers attach to the
    next token, closers to the previous one.
    """
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    sq_open = False
    glue_next = False
    for i, tok in enumerate(tokens):
        attach = opener = False
        if tok == '"':
            attach = quote_closes(tokens, i, dq_open, tok)
            opener = not attach
            dq_open = opener
        elif tok == "'":
            attach = quote_closes(tokens, i, sq_open, tok)
            opener = not attach
            sq_open = opener
        elif tok in NO_SPACE_BEFORE:
            attach = True
        if parts and not attach and not glue_next:
            parts.append(" ")
            pos += 1
        starts.append(pos)
        parts.append(tok)
        pos += len(tok)
        glue_next = opener or tok in NO_SPACE_AFTER
    return "".join(parts), starts, dq_open


def wiki_title(url: str) -> str:
    """``http://en.wikipedia.org/wiki/Boris_Yeltsin`` -> ``Boris Yeltsin``."""
    return unquote(url[len(WIKI_PREFIX) :] if url.startswith(WIKI_PREFIX) else url).replace(
        "_", " "
    )


def build(annotations: Path, conll_dir: Path) -> tuple[list[dict], dict[str, int]]:
    """Align the annotations with the CoNLL tokens; return documents and problem counts."""
    docs: list[Doc] = []
    for split, name in SPLITS:
        docs.extend(read_conll(conll_dir / name, split))
    ann = read_annotations(annotations)
    if len(ann) != len(docs):
        raise SystemExit(f"{len(ann)} annotated documents but {len(docs)} CoNLL documents")
    problems = {"start_not_ne": 0, "start_inside_ne": 0, "sentence_breaks_joined": 0}
    out: list[dict] = []
    for (aida_id, rows), doc in zip(ann, docs, strict=True):
        num = re.match(r"\d+", aida_id)
        assert num is not None
        if doc.split != "train" and doc.split not in aida_id:
            raise SystemExit(f"split mismatch: {aida_id} in {doc.split}")
        n = len(doc.tokens)
        # token spans: the annotated token, then same-type tokens up to a B- inside the
        # sentence; CoNLL sentence breaks do not end a mention (they split names such as
        # "Phil" / "Mickelson" in results lists).
        spans: list[tuple[int, int, str | None]] = []
        for row in rows:
            t = int(row[0])
            typ = ner_type(doc.tags[t])
            if typ is None:
                problems["start_not_ne"] += 1
            elif (
                t > 0
                and ner_type(doc.tags[t - 1]) == typ
                and doc.sent[t - 1] == doc.sent[t]
                and not doc.tags[t].startswith("B-")
            ):
                problems["start_inside_ne"] += 1
            e = t
            while typ is not None and e + 1 < n and ner_type(doc.tags[e + 1]) == typ:
                if doc.sent[e + 1] == doc.sent[e] and doc.tags[e + 1].startswith("B-"):
                    break
                e += 1
            spans.append((t, e, typ))
        # lines: title (first sentence), blank line, one sentence per line; a sentence
        # break inside a mention is written as a space.
        joined = {
            doc.sent[k] for t, e, _ in spans for k in range(t, e) if doc.sent[k + 1] != doc.sent[k]
        }
        problems["sentence_breaks_joined"] += len(joined)
        groups: list[list[int]] = []
        for k in range(n):
            if k == 0 or (doc.sent[k] != doc.sent[k - 1] and doc.sent[k - 1] not in joined):
                groups.append([])
            groups[-1].append(k)
        tok_start = [0] * n
        line_texts: list[str] = []
        offset = 0
        dq_open = False
        for g_no, g in enumerate(groups):
            line, starts, dq_open = detokenize([doc.tokens[k] for k in g], dq_open)
            for k, st in zip(g, starts, strict=True):
                tok_start[k] = offset + st
            line_texts.append(line)
            offset += len(line) + (2 if g_no == 0 else 1)  # "\n\n" after the title
        text = line_texts[0] if line_texts else ""
        if len(line_texts) > 1:
            text += "\n\n" + "\n".join(line_texts[1:])
        date = None
        for g in groups[:5]:
            if DATE_RE.match(doc.tokens[g[-1]]):
                date = doc.tokens[g[-1]]
                break
        mentions = []
        for row, (t, e, typ) in zip(rows, spans, strict=True):
            start = tok_start[t]
            end = tok_start[e] + len(doc.tokens[e])
            nil = row[1] == "--NME--" or len(row) < 3
            mentions.append(
                {
                    "start": start,
                    "end": end,
                    "surface": text[start:end],
                    "kb": None if nil else wiki_title(row[2]),
                    "type": typ,
                }
            )
        out.append(
            {
                "doc_id": f"{doc.split}-{num.group(0)}",
                "aida_id": aida_id,
                "date": date,
                "text": text,
                "mentions": mentions,
            }
        )
    return out, problems


def main(argv: list[str] | None = None) -> int:
    """Build the gold file and print the alignment problem counts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("annotations", type=Path)
    ap.add_argument("conll_dir", type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("gold.jsonl"))
    args = ap.parse_args(argv)
    docs, problems = build(args.annotations, args.conll_dir)
    data = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8")
    if args.out.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)  # byte-reproducible
    args.out.write_bytes(data)
    print(f"wrote {len(docs)} documents to {args.out}; problems: {problems}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
