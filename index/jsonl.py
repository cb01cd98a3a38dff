"""A .jsonl file: one article per line, a JSON object with its text under "text" (or "body", "content", "article",
"maintext") and, optionally, what it says of itself ("title", "url", "published", "outlet" and the names news APIs
give them: ``index.metadata``). A bad line is skipped with its reason; the rest is indexed."""

import json
import logging
import re

from .articles import Article, make_article
from .errors import CorpusError, printable
from .mapped import decode_json_string, no_lone_surrogates
from .metadata import metadata

log = logging.getLogger(__name__)

_TEXT_KEYS = ("text", "body", "content", "article", "maintext")  # a JSONL article's text, first found first
# How NewsAPI ends the text it cuts off: "… [+1834 chars]" (in the raw JSON string: "…", "\u2026" or "...").
_CUT_OFF = re.compile(r"(?:\s|…|\\u2026|\.\.\.)*(\[\+\d+ chars\])\s*$")


def load_jsonl(original: str, source: str, digest: str) -> list[Article]:
    articles = []
    offset = 0
    # Lines end at "\n" only: U+2028 and other Unicode line breaks are legal inside JSON strings.
    for number, line in enumerate(original.split("\n"), start=1):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            text_key = next((k for a in _TEXT_KEYS for k in record if k.lower() == a and isinstance(record[k], str)), None)
            if text_key is None:
                fields = ", ".join(f'"{k}"' for k in list(record)[:8]) or "none"
                raise ValueError(f'no string field "text" (or "body", "content"); its fields: {fields}')
            value_start, value_end = _json_string_span(line, text_key)
            if cut := _CUT_OFF.search(line, value_start, value_end):  # the marker is no article text: not indexed
                value_end = cut.start()
                log.warning(
                    "%s line %d: its text is cut off by the news API (%s), so only its first part is indexed; "
                    "export the whole text to index all of it",
                    printable(source),
                    number,
                    cut.group(1),
                )
            mapped = decode_json_string(line, value_start, value_end, line_start)
            values = {k.lower(): _plain(v.get("name") if isinstance(v, dict) else v) for k, v in record.items() if k != text_key}
            article = make_article(mapped, original, f"{source}#{number}", source, digest, **metadata(values))
        except Exception as err:  # noqa: BLE001 (one bad line is skipped with its reason, the rest indexed)
            log.warning("%s line %d skipped: %s", printable(source), number, err)
            continue
        if article is not None:
            articles.append(article)
    if not articles:
        raise CorpusError(
            'holds no line with a JSON object that has a non-empty "text" field (or "body", "content"): one article per '
            'line, {"text": ..., "title": ..., "url": ..., "published": ..., "outlet": ...}'
        )
    return articles


def _plain(value: object) -> str:
    """A metadata value as text (a number becomes its digits, null nothing); lone surrogates become U+FFFD."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return no_lone_surrogates(text)


def _json_string_span(line: str, key: str) -> tuple[int, int]:
    """The raw span (inside the quotes) of a top-level string value of a JSON object line."""
    decoder = json.JSONDecoder()
    i = line.index("{") + 1
    while True:
        i = _skip_ws(line, i)
        if line[i] == "}":
            raise ValueError(f'no "{key}" field')
        name, i = json.decoder.scanstring(line, i + 1)
        i = _skip_ws(line, _skip_ws(line, i) + 1)  # past ':'
        value_start = i
        _, i = decoder.raw_decode(line, i)
        if name == key and line[value_start] == '"':
            return value_start + 1, i - 1
        i = _skip_ws(line, i)
        if line[i] == ",":
            i += 1


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i
