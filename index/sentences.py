"""Sentence boundaries in English news text, as character spans.

A rule-based splitter: fast, deterministic and offset-exact, which is what citations need.
It splits after . ! ? (and a closing quote or bracket) when the next word starts like a
sentence, and never after a known abbreviation ("Sept.", "U.S.", "Mr.") or an initial ("J."), nor before a
wire service's credit in a dateline ("CALDWELL, Ore. (AP) — …").
Line breaks always end a sentence: news paragraphs, headings and captions are lines.
"""

import re

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gen",
    "lt",
    "col",
    "maj",
    "capt",
    "sgt",
    "gov",
    "sen",
    "rep",
    "pres",
    "rev",
    "hon",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "approx",
    "est",
    "fig",
    "al",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9À-Ý]")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A wire story's dateline: "CALDWELL, Ore. (AP) — The port …" is one sentence; the state's abbreviation ends none.
_WIRE_CREDIT = re.compile(r"\s+\((?:AP|Reuters|AFP|UPI|CNN|Bloomberg|dpa|Xinhua|TASS)\)\s*[—–-]")


def _is_abbreviation(text: str, dot_end: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, dot_end - 12), dot_end)
    if not match:
        return False
    word = match.group(1).lower()
    return word in _ABBREVIATIONS or len(word) == 1


MAX_QUOTED_SENTENCE = 600  # characters: past this, an unclosed quotation mark no longer holds a sentence together


def _inside_quotation(segment: str) -> bool:
    """A curly quotation opened and not yet closed in this segment (straight quotes are too ambiguous)."""
    return segment.count("“") > segment.count("”")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of ``text[start:end]``, stripped of outer whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        line_end = start + line.end()
        cursor = line_start
        for match in _BOUNDARY.finditer(text, line_start, line_end):
            stop = match.end()
            if not _NEXT_START.match(text, stop, line_end) or _WIRE_CREDIT.match(text, stop, line_end):
                continue
            if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(text, match.start() + 1):
                continue
            if _inside_quotation(text[cursor:stop]) and stop - cursor < MAX_QUOTED_SENTENCE:
                continue
            spans.append((cursor, stop))
            cursor = stop
        spans.append((cursor, line_end))
    return [_strip(text, a, b) for a, b in spans if text[a:b].strip()]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
