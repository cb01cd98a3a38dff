"""Month names and an article's publication date: one place for the indexer (which reads a date line or
an HTML page's metadata) and the answerer (which prefers recent articles and shows the date with a quote)."""

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")

_MONTH = "(" + "|".join(sorted({m.lower() for m in MONTHS} | set(MONTH_ABBREVIATIONS), key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NAMED_DATE = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+(\d{{4}})(?!\d)|\b{_DAY}\s+{_MONTH}\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%b. %d, %Y")


def published_date(value: str | None) -> datetime | None:
    """An article's ``published`` as a naive datetime (ISO 8601, RFC 2822, "March 5, 2024", or the first
    such date inside a dateline: "Updated 10:42 AM EST, Thu March 5th, 2026"), else None."""
    if not value:
        return None
    text = value.strip()
    parsers = [datetime.fromisoformat, parsedate_to_datetime] + [lambda t, f=f: datetime.strptime(t, f) for f in _FORMATS]
    for parse in parsers:
        try:
            return parse(text).replace(tzinfo=None)
        except (ValueError, TypeError, IndexError):
            continue
    try:
        if m := _ISO_DATE.search(text):
            return datetime(int(m[1]), int(m[2]), int(m[3]))
        if m := _NAMED_DATE.search(text):
            month, day, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
            return datetime.strptime(f"{month[:3]} {day} {year}", "%b %d %Y")
    except ValueError:  # "2026-02-31": not a date
        pass
    return None


def shown_date(published: str | None) -> str | None:
    """An article's publication date as a reader writes it ("23 November 2026"), not as its page's metadata does
    ("2026-11-23T15:45:00-05:00"); as given when it does not read as a date."""
    when = published_date(published)
    return f"{when.day} {when:%B %Y}" if when else published
