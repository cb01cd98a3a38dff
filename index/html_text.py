"""An HTML page's visible article text, with the original span behind each character, and what the page says of
itself (its title, publication date, outlet and address in <meta>, <link> and <time> tags, and in the schema.org
JSON-LD that news sites embed). Where a page's text is only in that JSON-LD ("articleBody"), that is its text."""

import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .dates import published_date
from .mapped import Mapped, decode_json_string, no_lone_surrogates
from .metadata import LINK

_SITE_META = frozenset({"og:site_name", "application-name", "publisher", "dc.publisher"})
_SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")  # "Headline | Outlet", as <title>s write it
_PUBLISHED_META = frozenset(
    "article:published_time og:published_time datepublished pubdate publishdate publish-date publication_date "
    "date dc.date dc.date.issued parsely-pub-date sailthru.date".split()
)

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "td",
    "th",
    "article",
    "section",
    "blockquote",
    "pre",
    "hr",
    "main",
    "table",
    "dd",
    "dt",
    "title",
}
_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "button",
    "figure",
    "figcaption",
    "svg",
    "iframe",
    "select",
    "template",
    "head",
}


_ASIDE_TAGS = ("nav", "aside", "footer")  # their <time>s date other pages


class _HTMLText(HTMLParser):
    """Visible article text of an HTML page, with per-character original offsets."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.out = Mapped()
        self.skip_depth = 0
        self.title: str | None = None
        self._in_title = False
        self._in_h1 = False
        self._h1: list[str] = []
        self.published: str | None = None  # from <meta property="article:published_time" …>, else the first <time datetime>
        self.site: str | None = None  # <meta property="og:site_name" …>: the outlet
        self.url: str | None = None  # <link rel="canonical" …>, else <meta property="og:url" …>
        self._time: str | None = None
        self._aside = 0  # depth inside _ASIDE_TAGS
        self._in_json_ld = False
        self.json_ld: list[tuple[int, str]] = []  # the text of each <script type="application/ld+json">, and where it starts

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _newline(self) -> None:
        if self.out.text and self.out.last() != "\n":
            pos = self._pos()
            self.out.add("\n", pos, pos)

    def handle_starttag(self, tag, attrs):
        self._about_page(tag, attrs)
        if tag == "script" and any(k == "type" and (v or "").strip().lower() == "application/ld+json" for k, v in attrs):
            self._in_json_ld = True
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        if tag in _ASIDE_TAGS:
            self._aside += 1
        if tag == "title" and self.title is None:
            self._in_title = True
        if tag == "h1":
            self._in_h1 = True
        if tag in _BLOCK_TAGS:
            self._newline()

    def handle_startendtag(self, tag, attrs):
        self._about_page(tag, attrs)
        if tag in _BLOCK_TAGS:
            self._newline()

    def _about_page(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """What a tag says of the page: its publication date, outlet or address."""
        values = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").lower().split() and LINK.match(values.get("href", "")):
            self.url = values["href"]
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            content = " ".join(html.unescape(values.get("content", "")).split())
            if key in _PUBLISHED_META and self.published is None and published_date(content):
                self.published = content
            elif key in _SITE_META and self.site is None and content and not LINK.match(content):
                self.site = content
            elif key == "og:url" and self.url is None and LINK.match(content):
                self.url = content
        elif tag == "time" and self._time is None and not self._aside and published_date(values.get("datetime")):
            self._time = values["datetime"]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False
        if tag in _SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
        if tag in _ASIDE_TAGS and self._aside:
            self._aside -= 1
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK_TAGS:
            self._newline()

    def _text(self, chars: str, start: int, end: int | None) -> None:
        if self._in_title:
            self.title = (self.title or "") + chars
            return
        if self.skip_depth:
            return
        if self._in_h1:
            self._h1.append(chars)
        if end is None:
            for i, ch in enumerate(chars):
                self._char(" " if ch.isspace() else ch, start + i, start + i + 1)
        else:
            for ch in chars:
                self._char(ch, start, end)

    def _char(self, ch: str, start: int, end: int) -> None:
        if ch == " " and (not self.out.text or self.out.last() in " \n"):
            return  # collapse runs of whitespace, as a browser does
        self.out.add(ch, start, end)

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append((self._pos(), data))
            return
        self._text(data, self._pos(), None)

    def handle_entityref(self, name):
        self._reference(self._pos(), 1 + len(name))  # "&" name [";"]

    def handle_charref(self, name):
        self._reference(self._pos(), 2 + len(name))  # "&#" name [";"]

    def _reference(self, start: int, length: int) -> None:
        """A character or entity reference; its end comes from the reference itself (the ";" is optional)."""
        end = start + length
        if self.source.startswith(";", end):
            end += 1
        text = html.unescape(self.source[start:end])
        self._text(no_lone_surrogates(text), start, end)


@dataclass
class Page:
    """What an HTML file holds: its visible text, the article text of its JSON-LD if it has one, and what it says
    of itself (title, published, url, outlet; None where it does not say)."""

    visible: Mapped
    json_ld_body: Mapped | None
    meta: dict[str, str | None]


def html_page(original: str) -> Page:
    parser = _HTMLText(original)
    parser.feed(original)
    parser.close()
    body, about = _json_ld(original, parser.json_ld)
    h1 = html.unescape(" ".join("".join(parser._h1).split()))
    title, outlet = _page_title(
        html.unescape(" ".join((parser.title or "").split())), h1 or about.get("title", ""), parser.site or about.get("outlet")
    )
    meta = {
        "title": title,
        "published": parser.published or about.get("published") or parser._time,
        "url": parser.url or about.get("url"),
        "outlet": parser.site or about.get("outlet") or outlet,
    }
    return Page(parser.out, body, meta)


# The schema.org types a news page's JSON-LD gives its article (others, such as a WebPage or a BreadcrumbList, are
# about the page).
_ARTICLE_TYPES = frozenset(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle BackgroundNewsArticle "
    "ReviewNewsArticle BlogPosting LiveBlogPosting Report ScholarlyArticle".split()
)
_ARTICLE_BODY = re.compile(r'"articleBody"\s*:\s*"')


def _json_ld(original: str, blocks: list[tuple[int, str]]) -> tuple[Mapped | None, dict[str, str]]:
    """The article's text in the page's JSON-LD ("articleBody", when it is plain text), with its spans in the
    page, and what the JSON-LD says of the article: headline, datePublished, publisher's name, url."""
    for start, raw in blocks:
        try:
            found = json.loads(raw)
        except ValueError:
            continue  # a broken block is ignored, as browsers and search engines do
        for item in _objects(found):
            types = item.get("@type")
            if not set(types if isinstance(types, list) else [types]) & _ARTICLE_TYPES:
                continue
            about = _about_article(item)
            body = item.get("articleBody")
            if not isinstance(body, str) or not body.strip() or re.search(r"</?[a-zA-Z][^>]*>", body):
                return None, about  # no body, or one written as HTML (the visible text is the page's then)
            for m in _ARTICLE_BODY.finditer(raw):
                value, end = json.decoder.scanstring(raw, m.end())
                if value == body:
                    return decode_json_string(original, start + m.end(), start + end - 1), about
            return None, about
    return None, {}


def _objects(found: object):
    """The JSON objects of a JSON-LD block: itself, the items of a list, those of its "@graph"."""
    items = found if isinstance(found, list) else [found]
    for item in items:
        if isinstance(item, dict):
            yield item
            yield from _objects(item.get("@graph", []))


def _about_article(item: dict) -> dict[str, str]:
    def name(value: object) -> str:
        value = value.get("name") or value.get("@id") if isinstance(value, dict) else value
        return " ".join(value.split()) if isinstance(value, str) else ""

    about = {
        "title": name(item.get("headline")),
        "published": name(item.get("datePublished")),
        "outlet": name(item.get("publisher")),
        "url": name(item.get("url")) or name(item.get("mainEntityOfPage")),
    }
    if not published_date(about["published"]):
        about["published"] = ""
    if not LINK.match(about["url"]):
        about["url"] = ""
    if LINK.match(about["outlet"]):
        about["outlet"] = ""
    return {k: v for k, v in about.items() if v}


def _page_title(title: str, headline: str, site: str | None = None) -> tuple[str | None, str | None]:
    """The article's title, and the site's name where the page's <title> adds it to the headline: "Cracks close the
    bridge | The Valley Courier" over a page whose headline (its <h1>, or its JSON-LD's) is "Cracks close the bridge",
    or whose site is named "The Valley Courier" (<meta property="og:site_name">). Without a <title>, the headline."""
    if not title:
        return headline or None, None
    for separator in _SITE_SEPARATORS:
        head, found, name = title.rpartition(separator)
        if found and (_same_words(head, headline) or _same_words(name, site or "")) and 0 < len(name.split()) <= 6:
            return head.strip(), name.strip()
    return title, None


def _same_words(a: str, b: str) -> bool:
    return bool(b) and a.casefold().split() == b.casefold().split()
