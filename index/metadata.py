"""What an article says of itself: its title, publication date, address and outlet, from the names that YAML front
matter and JSONL exports give them, and a text file's title and date from its first lines."""

import re

from .dates import published_date

# A block of "key: value" lines between two "---" lines at the top of a file (YAML front matter, as Markdown sites and
# note apps write it): metadata, not article text.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<block>(?:.*\r?\n){0,60}?)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
# What an article says of itself, under the names that front matter and JSONL exports give it (lower case), first
# found first: "publishedAt" and a "source" object's "name" as news APIs write them.
_META_KEYS = {
    "title": ("title", "headline"),
    "published": tuple(
        "published date pubdate publishdate publish_date published_at publishedat date_publish datepublished created".split()
    ),
    "url": ("url", "link", "canonical", "canonical_url", "permalink", "source_url", "source", "site"),
    "outlet": ("outlet", "publisher", "publication", "site", "site_name", "source"),
}
LINK = re.compile(r"https?://\S+$")  # "source:" and "site:" may be an address (a web clipper's) or an outlet
_FITS = {  # a value of the field's kind
    "title": lambda v: True,
    "published": lambda v: published_date(v) is not None,
    "url": lambda v: bool(LINK.match(v)),
    "outlet": lambda v: not LINK.match(v),
}
_FRONT_LINE = re.compile(r"\s*(#|$|[\w.-]+\s*:|-\s)")  # a comment, a blank, a key or a list item
_KEY_VALUE = re.compile(r"([\w.-]+)\s*:\s*(.+?)\s*$")


def front_matter(original: str) -> tuple[int, dict[str, str]]:
    """Where the article's text starts after a YAML front matter block, and the block's title, publication date, url
    and outlet (only plain one-line values; a date only when it reads as one); (0, {}) without a block."""
    m = _FRONT_MATTER.match(original)
    if not m or not all(_FRONT_LINE.match(line) for line in m["block"].splitlines()):
        return 0, {}  # a thematic break ("---") above ordinary text is not front matter
    values = {}
    for line in m["block"].splitlines():
        if kv := _KEY_VALUE.match(line):
            value = kv[2]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            if value and value[0] not in "[{|>&*!":  # a plain one-line value, not a YAML list, map or block
                values.setdefault(kv[1].lower(), value)
    return m.end(), metadata(values)


def metadata(values: dict[str, str]) -> dict[str, str]:
    """The title, publication date, url and outlet among an article's named values (lower-case names): for each, the
    first of its names (``_META_KEYS``) whose value is of its kind."""
    meta = {}
    for field_name, keys in _META_KEYS.items():
        if value := next((v for k in keys if (v := values.get(k, "").strip()) and _FITS[field_name](v)), None):
            meta[field_name] = value
    return meta


_BYLINE = re.compile(
    r"^\s*(?i:by|written by|reporting by)\s+(?!(?:The|A|An|Any|All|Its|Our|Their)\b)[A-Z][\w.'’-]*"
    r"(\s+(?:and\s+)?[A-Z][\w.'’-]*){0,4}\s*(,.*)?$"
)
_TRAIL = re.compile(r"\s*[|›»]\s*|\s+>\s+")  # "World | Science", "Home > News", "Headline | Outlet"
_TITLE_LABEL = re.compile(r"^\s*(title|headline)\s*:\s*", re.IGNORECASE)
_DATE_LINE = re.compile(  # at the line's start, or after a sentence or a byline ("By Ann Lee | Published: 2026-01-22")
    r"^(?:.{0,120}?(?:[.!?|·•]|\s[–—-])\s+)?(?:(?:published|posted|updated|last updated)\b\s*:?|date\s*:|dateline\s*:)\s*"
    r"(?:on\s+)?(.{4,60}?)\s*$",
    re.IGNORECASE,
)


def _dateline(line: str) -> str | None:
    """The date of a "Published: 2026-04-02" or "Updated 10:42 AM EST, Thu March 5, 2026" line, as written
    (only when it holds a whole date: "Updated Covid boosters approved for 2026" is a headline)."""
    m = _DATE_LINE.match(line)
    return m.group(1) if m and published_date(m.group(1)) else None


def date_line(clean: str) -> str | None:
    """A text file's publication date: the first dateline among its first six lines."""
    return next((d for line in clean.split("\n")[:6] if (d := _dateline(line))), None)


# A wire service's slug before its headline: "UPDATE 2-Aldgate Metals to buy …", "REFILE-…", "EXCLUSIVE-…".
_WIRE_SLUG = re.compile(r"^\s*(?:UPDATE \d+|REFILE|CORRECTED|RPT|EXCLUSIVE|WRAPUP(?: \d+)?|FACTBOX|ANALYSIS|INSIGHT)\s?[-:]\s*")


def _headline(line: str) -> str | None:
    """The line as a headline, or None for a byline, a dateline or a section trail ("World | Science"); a
    headline with its site's name after a bar ("Rover lost contact | Science News") loses the name, and one with a
    wire service's slug ("UPDATE 2-") loses the slug."""
    if _BYLINE.match(line) or _dateline(line):
        return None
    line = _WIRE_SLUG.sub("", line)
    parts = [p for p in _TRAIL.split(line) if p.strip()]
    if len(parts) > 1:
        longest = max(parts, key=lambda p: len(p.split()))
        return longest if len(longest.split()) >= 3 else None
    return line


def title_line(clean: str) -> str:
    """A text file's title: its first line (among the first six; else the first line) that reads as a
    headline (``_headline``), without a "Title:" label."""
    lines = clean.split("\n")
    chosen = next((h for line in lines[:6] if (h := _headline(_TITLE_LABEL.sub("", line)))), lines[0])
    return chosen.strip() or lines[0]
