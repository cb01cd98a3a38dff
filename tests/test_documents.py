"""Loading and cleaning: junk removed, offsets into the original file exact, every format."""

import json
import random
import re

import pytest

from index.documents import load_corpus, load_file
from index.errors import CorpusError
from index.sentences import split_sentences

from .conftest import SEEDS

JUNK = [
    "Photo: Ministry of Foreign Affairs",  # photo credit
    "In this image taken from video released",  # caption
    "(Armenian Defense Ministry via AP)",
    "In this photo released by Russian Foreign Ministry Press Service",
    "A man walks in the yard of a house destroyed",
    "(AP Photo)",
    "read more:",
    "Never miss breaking news",
    "Register for free",
    "Already registered?",
    "Sign in or Register",
    "Check your email",
    "It has a link that will sign you in.",
    "By registering you agree",
    "A Message from The Moscow Times",
    "Dear readers",
    "please support us monthly",
    "Remind me later.",
    "AFP contributed reporting.",
]
KEPT = [
    "Russia on Monday expressed “serious concern”",
    "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh",
    "Ethnic Armenian separatists in Nagorno-Karabakh broke away from Azerbaijan",
    "The six-week war last fall",
    "Through the efforts of Russian peacekeepers, the clash was stopped",
    "under the control of Armenian military and separatist forces since 1994",
]


@pytest.fixture(scope="module")
def seeds():
    articles, skipped = load_corpus(SEEDS)
    assert not skipped
    return articles


def test_seed_junk_is_removed_and_article_text_kept(seeds):
    text = "\n".join(a.text for a in seeds)
    for junk in JUNK:
        assert junk.lower() not in text.lower(), junk
    for kept in KEPT:
        assert kept in text, kept
    assert len(seeds) == 5


def test_titles(seeds):
    titles = {a.source: a.title for a in seeds}
    assert titles["001_7de97581a2d11456.txt"] == "Russia accuses Azerbaijan of breaking ceasefire in conflict with Armenia"
    assert titles["000_09181bd4437617d1.txt"].startswith("Russia on Monday expressed")
    assert all(len(t) <= 121 for t in titles.values())


def test_every_sentence_maps_back_to_the_original_file(seeds):
    count = 0
    for article in seeds:
        original = (SEEDS / article.source).read_text(encoding="utf-8")
        assert article.original == original
        for a, b in split_sentences(article.text):
            start, end = article.original_span(a, b)
            assert original[start:end].replace("\u00a0", " ") == article.text[a:b]
            count += 1
    assert count > 80


def test_html_keeps_offsets_through_tags_and_entities(tmp_path):
    page = (
        "<html><head><title>Talks &amp; truce</title><script>var x = '<p>no</p>';</script></head><body>"
        "<nav>Home | World | Sign in</nav><article><h1>Talks &amp; truce</h1>"
        "<p>Leaders met in <b>Geneva</b> on Friday &mdash; and agreed a truce.</p>"
        "<figure><img src=a.jpg><figcaption>A photo caption (AP Photo)</figcaption></figure>"
        "<p>The deal covers 2,000&nbsp;km of border.</p></article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    path = tmp_path / "talks.html"
    path.write_text(page, encoding="utf-8")
    [article] = load_file(path, "talks.html")
    assert article.title == "Talks & truce"
    assert "Leaders met in Geneva on Friday — and agreed a truce." in article.text
    assert "no" not in article.text.split() and "caption" not in article.text and "Subscribe" not in article.text
    a = article.text.index("Leaders")
    b = article.text.index("truce.", a) + len("truce.")
    start, end = article.original_span(a, b)
    assert page[start:end] == "Leaders met in <b>Geneva</b> on Friday &mdash; and agreed a truce."
    a = article.text.index("2,000")
    start, end = article.original_span(a, a + len("2,000 km"))
    assert page[start:end] == "2,000&nbsp;km"


def test_jsonl_articles_map_into_the_jsonl_file(tmp_path):
    records = [
        {
            "title": "First",
            "url": "https://example.org/1",
            "outlet": "Example",
            "published": "2023-03-01",
            "text": 'He said "yes" on Monday.\nThe next day \u2014 Tuesday \u2014 it rained in Baku.',
        },
        {"text": "Second article without a title. It has two sentences."},
    ]
    raw = "\n".join(json.dumps(r) for r in records) + "\n"  # ensure_ascii: escapes everywhere
    path = tmp_path / "feed.jsonl"
    path.write_text(raw, encoding="utf-8")
    first, second = load_file(path, "feed.jsonl")
    assert (first.document_id, first.title, first.outlet, first.url) == (
        "feed.jsonl#1",
        "First",
        "Example",
        "https://example.org/1",
    )
    assert second.title == "Second article without a title. It has two sentences."
    a = first.text.index("The next")
    start, end = first.original_span(a, len(first.text))
    assert raw[start:end] == "The next day \\u2014 Tuesday \\u2014 it rained in Baku."
    assert json.loads('"' + raw[start:end] + '"') == first.text[a:]
    start, end = first.original_span(0, first.text.index("Monday.") + 7)
    assert raw[start:end] == 'He said \\"yes\\" on Monday.'


def test_markdown_heading_is_the_title(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Ceasefire holds\n\n![map](map.png)\n\nThe ceasefire held for a week.\n", encoding="utf-8")
    [article] = load_file(path, "note.md")
    assert article.title == "Ceasefire holds"
    assert "map.png" not in article.text


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"caf\xe9 au lait", "UTF-8"),
        (b"", "no article text"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        load_file(path, "bad.txt")


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "a PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF"),  # no NUL in its first bytes: told as a PDF, not as bad UTF-8
        (b"PK\x03\x04\x14\x00", "a ZIP archive, or a Word, OpenDocument or e-book file"),
    ],
)
def test_a_binary_file_named_as_an_article_is_told_by_its_kind(tmp_path, content, kind):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=re.escape(f"looks binary ({kind}, by its first bytes)")):
        load_file(path, "notes.txt")


def test_a_hidden_article_is_skipped_and_told_and_hidden_folders_and_mac_metadata_are_not(tmp_path):
    (tmp_path / "good.txt").write_text("A good article. It has text.", encoding="utf-8")
    (tmp_path / ".draft.txt").write_text("The mayor will resign. She said so.", encoding="utf-8")
    (tmp_path / "._good.txt").write_bytes(b"\x00\x05\x16\x07")  # what a Mac writes beside a copied file
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "description.txt").write_text("Unnamed repository.", encoding="utf-8")
    articles, skipped = load_corpus(tmp_path)
    assert [a.source for a in articles] == ["good.txt"]
    assert [(s.source, s.reason) for s in skipped] == [
        (".draft.txt", 'is hidden (its name starts with "."): rename it without the dot to index it')
    ]


def test_a_bad_file_is_skipped_and_the_rest_loaded(tmp_path):
    (tmp_path / "good.txt").write_text("A good article. It has text.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    articles, skipped = load_corpus(tmp_path)
    assert [a.source for a in articles] == ["good.txt"]
    assert [s.source for s in skipped] == ["bad.txt"]


def test_documents_of_a_kind_that_is_not_read_are_named_with_what_to_do_and_a_saved_pages_files_are_not(tmp_path):
    (tmp_path / "good.txt").write_text("A good article. It has text.", encoding="utf-8")
    (tmp_path / "minutes.DOCX").write_bytes(b"PK\x03\x04")
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "release.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "export.json").write_text('[{"text": "An article."}]', encoding="utf-8")
    (tmp_path / "page_files").mkdir()  # what a browser saves beside a page
    for name in ("app.js", "style.css", "photo.jpg"):
        (tmp_path / "page_files" / name).write_bytes(b"x")
    articles, skipped = load_corpus(tmp_path)
    assert [a.source for a in articles] == ["good.txt"]
    why = {s.source: s.reason for s in skipped}
    assert set(why) == {"minutes.DOCX", "releases/release.pdf", "export.json"}
    assert why["releases/release.pdf"].startswith("is a PDF: only .txt, .md, .html and .jsonl files are read")
    assert "save or export its text as .txt" in why["minutes.DOCX"] and "Word document" in why["minutes.DOCX"]
    assert "one article per line" in why["export.json"] and ".jsonl" in why["export.json"]


def test_sentence_splitter_respects_abbreviations():
    text = 'Clashes erupted on Sept. 27, 2020, with the army. Aliyev met U.S. envoy Louis Bono. "It is done," he said. Next.'
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Clashes erupted on Sept. 27, 2020, with the army.",
        "Aliyev met U.S. envoy Louis Bono.",
        '"It is done," he said.',
        "Next.",
    ]


def test_a_wire_dateline_stays_with_its_sentence():
    """AP style: "CITY, State (AP) — …". The state's abbreviation ended a sentence there, and the answer quoted
    "(AP) — The Port of Caldwell reopened …"; a sentence that ends before an ordinary bracket still ends."""
    text = (
        "CALDWELL, Ore. (AP) — The port reopened on Sept. 14. The attack began on Sept. 5. He moved to Portland, Ore. (He left.)"
    )
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "CALDWELL, Ore. (AP) — The port reopened on Sept. 14.",
        "The attack began on Sept. 5.",
        "He moved to Portland, Ore.",
        "(He left.)",
    ]


@pytest.mark.parametrize(
    "block, junk",
    [
        ("Advertisement", True),
        ("Share this article", True),
        ("Sign up for our daily newsletter", True),
        ("In 2018, Johnston's 1982 song was featured in a television advertisement by Apple Inc.", False),
        ("Voters must register by Friday to take part in the referendum on the new constitution.", False),
        ("Comments (148)", True),
        ("1,204 comments", True),
        (
            "We use cookies to improve your experience on our site and to show you relevant advertising. By continuing "
            "to browse you agree to our cookie policy.",  # 26 words: longer than a sign-in box
            True,
        ),
        ("This site uses cookies. Continue to accept or find out more.", True),
        ("Accept all cookies", True),
        ("The regulator found that the sites made users accept cookies before they could read a single article.", False),
        (
            "Regulators said the company had broken the law by setting tracking cookies before visitors agreed, and "
            "fined it 40 million euros.",
            False,
        ),
    ],
)
def test_boilerplate_rules_on_single_blocks(block, junk):
    from index.cleaning import junk_reason

    assert (junk_reason(block) is not None) == junk


# --- one bad file or line never stops the run (issue 9, item 1) ---------------------------------
@pytest.mark.parametrize(
    "html_text, expected",
    [
        (
            "<p>It cost &#65 dollars per car since May.</p><p>Drivers complained; dollars per car.</p>",
            "It cost A dollars per car since May.\nDrivers complained; dollars per car.",
        ),
        ("<p>It cost &#65 dollars per car since May.</p>", "It cost A dollars per car since May."),
        ("<p>Tom &amp Jerry; they met.</p>", "Tom & Jerry; they met."),
        ("<p>A &#x41 and &#66; and &copy 2024 and &nosuch; end.</p>", "A A and B and © 2024 and &nosuch; end."),
    ],
)
def test_html_references_end_where_the_reference_ends(tmp_path, html_text, expected):
    path = tmp_path / "a.html"
    path.write_text(html_text, encoding="utf-8")
    (article,) = load_file(path, "a.html")
    assert article.text == expected
    for start, ch in enumerate(article.text):  # every clean character still maps into the file
        a, b = article.original_span(start, start + 1)
        assert 0 <= a <= b <= len(html_text)
        if ch != "\n":  # a block break stands for no text
            assert a < b and (html_text[a:b] == ch or html_text[a] == "&")


def test_bad_jsonl_lines_are_skipped_and_the_others_kept(tmp_path):
    lines = [
        '{"title": 2024, "text": "A number as a title is still an article."}',
        '{"title": "Pair", "text": "Broken pair \\udbff\\uffff here."}',
        '{"title": "Lone", "text": "Lone \\ud800 surrogate."}',
        '{"title": "Sep", "text": "One line\u2028with a line separator inside."}',
        '{"title": "No text", "summary": "nothing"}',
        "not json at all",
        '{"title": "Fine", "text": "The last line is fine."}',
    ]
    original = "\n".join(lines) + "\n"
    path = tmp_path / "a.jsonl"
    path.write_text(original, encoding="utf-8")
    articles = load_file(path, "a.jsonl")
    assert [a.title for a in articles] == ["2024", "Pair", "Lone", "Sep", "Fine"]
    by_title = {a.title: a for a in articles}
    assert by_title["Pair"].text == "Broken pair \ufffd\uffff here."
    assert by_title["Lone"].text == "Lone \ufffd surrogate."
    assert "line separator inside" in by_title["Sep"].text
    for a in articles:
        a.text.encode("utf-8")  # storable
        start, end = a.original_span(0, len(a.text))
        assert original[start:end].startswith(a.text[:3])


def test_a_malformed_reference_file_no_longer_stops_indexing_or_rebuild(corpus, tmp_path, hashing):
    from rag import Assistant, Settings

    (corpus / "broken.html").write_text("<p>The toll rose to &#65</p>", encoding="utf-8")
    (corpus / "lines.jsonl").write_text('{"title": 2024, "text": "Lone \\ud800 line."}\n', encoding="utf-8")
    assistant = Assistant(Settings(corpus=corpus, data_dir=tmp_path / "data"), embedder=hashing)
    first = assistant.index()
    rebuilt = assistant.index(rebuild=True)
    assert assistant.status().articles == 7 == len(list(corpus.iterdir()))
    assert not first.skipped and not rebuilt.skipped


def test_a_large_plain_file_keeps_its_offsets_as_a_few_runs(tmp_path):
    """A 19.9 MB file peaked at 2.7 GB while parsed (two Python ints per character): the offsets are runs now."""
    rng = random.Random(3)
    paragraphs = [" ".join(f"Word{rng.randint(0, 999)} and more words here." for _ in range(40)) for _ in range(1500)]
    text = "Large file\n\n" + "\n\n".join(f"  {p}  " for p in paragraphs) + "\n"  # stripped blanks: runs restart
    (tmp_path / "large.txt").write_text(text, encoding="utf-8")
    [article], skipped = load_corpus(tmp_path)
    assert not skipped and len(text) > 1_500_000
    assert len(article.offsets.at) <= 2 * (len(paragraphs) + 1) + 2  # a run per paragraph and one per joining newline
    for i in rng.sample(range(len(article.text)), 2000):
        a, b = article.original_span(i, i + 1)
        assert text[a:b] == article.text[i] or article.text[i] == "\n"
    a, b = article.original_span(0, len(article.text))
    assert text[a:b].strip() == text.strip()


def _articles(directory, files: dict[str, str]) -> dict:
    """Write ``files`` (name -> text) into ``directory`` and load them: source -> Article (none skipped)."""
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    articles, skipped = load_corpus(directory)
    assert not skipped
    return {a.source: a for a in articles}


def test_a_text_file_title_skips_section_trails_bylines_and_labels(tmp_path):
    articles = _articles(
        tmp_path,
        {
            "page.txt": "World | Science\nBy Kenji Tanaka and Priya Raman, Reuters\nUpdated 10:42 AM EST, Thu March 5, 2026\n"
            "Space agency says lunar rover lost contact after dust storm\nA small rover stopped answering on Wednesday.\n",
            "labelled.txt": "Title: Ferry workers end strike after pay deal\nPublished: 2026-04-02\nCrews returned to work.\n",
            "by.txt": "By 2030, solar will power half of Europe\nThe report says so.\n",
            "numbers.txt": "By The Numbers: how the vote went\nSeven won.\n",
            "outlet.txt": "Rover lost contact | Science News\nThe rover stopped.\n",
            "updated.txt": "Updated Covid boosters approved for 2026 season\nThey were.\n",
            "wire.txt": "UPDATE 2-Aldgate Metals to buy Cornish lithium project\nBy Hannah Ruiz\nThe deal was agreed.\n",
        },
    )
    assert {source: a.title for source, a in articles.items()} == {
        "page.txt": "Space agency says lunar rover lost contact after dust storm",
        "labelled.txt": "Ferry workers end strike after pay deal",
        "by.txt": "By 2030, solar will power half of Europe",  # a headline that opens with "By", not a byline
        "numbers.txt": "By The Numbers: how the vote went",
        "outlet.txt": "Rover lost contact",  # the site's name after the bar is not the headline
        "updated.txt": "Updated Covid boosters approved for 2026 season",  # no whole date: not a dateline
        "wire.txt": "Aldgate Metals to buy Cornish lithium project",  # without the wire service's slug
    }
    assert articles["updated.txt"].published is None


FRONT_MATTER = (
    "---\n"
    'title: "Lindham approves flood wall: 9 votes to 4"\n'
    "date: 2026-11-20T09:30:00Z\n"
    "layout: post\n"
    "tags: [flooding, council]\n"
    "authors:\n"
    "  - Ada Lamb\n"
    "canonical_url: https://example.org/lindham-wall\n"
    "publisher: Esk Valley News\n"
    "---\n"
    "# Lindham approves flood wall\n\n"
    "The town council voted on Tuesday to build a 1.8-kilometre wall.\n"
)


def test_a_markdown_files_front_matter_gives_its_metadata_and_is_not_article_text(tmp_path):
    """Markdown exported from a site or a notes app opens with YAML front matter: its "layout: post" and "tags: […]"
    were indexed and shown as text, its title and date read only as "title:" and date lines."""
    articles = _articles(tmp_path, {"wall.md": FRONT_MATTER, "wall.txt": FRONT_MATTER})
    for source, article in articles.items():
        assert article.title == "Lindham approves flood wall: 9 votes to 4", source
        assert (article.published, article.url, article.outlet) == (
            "2026-11-20T09:30:00Z",
            "https://example.org/lindham-wall",
            "Esk Valley News",
        )
        assert "layout" not in article.text and "tags" not in article.text and "Ada Lamb" not in article.text
        at = article.text.index("The town council")  # offsets still point into the original file
        start, end = article.original_span(at, at + len("The town council"))
        assert article.original[start:end] == "The town council"
    assert articles["wall.md"].text.startswith("Lindham approves flood wall\n")  # the heading stays, without its "#"


def test_a_web_clippers_source_is_the_pages_address_and_a_sites_source_its_outlet():
    from index.metadata import front_matter

    clipped = '---\ntitle: "Wall approved"\nsource: "https://example.org/wall"\ncreated: 2026-11-21\n---\nText.\n'
    assert front_matter(clipped)[1] == {"title": "Wall approved", "published": "2026-11-21", "url": "https://example.org/wall"}
    site = "---\nsite: https://esk.example\nsource: Esk Valley News\ndate: not yet\n---\nText.\n"
    assert front_matter(site)[1] == {"url": "https://esk.example", "outlet": "Esk Valley News"}  # no date that reads as one


def test_a_rule_at_the_top_of_a_file_above_plain_text_is_not_front_matter(tmp_path):
    text = "---\nThe council met. It voted: nine to four.\n---\nThe wall will be built.\n"
    [article] = _articles(tmp_path, {"rule.md": text}).values()
    assert "The council met" in article.text and article.title == "The council met. It voted: nine to four."


def test_the_publication_date_is_read_from_html_meta_and_from_a_date_line_of_a_text_file(tmp_path):
    """So that "this week" questions prefer the newest article, and a quote's date without a year has one."""
    from index.dates import published_date

    articles = _articles(
        tmp_path,
        {
            "meta.html": '<html><head><title>Rover lost</title><meta property="article:published_time" '
            'content="2026-03-05T10:42:00Z"></head><body><p>Updated <time datetime="2026-03-06">Friday</time></p>'
            "<p>The rover stopped answering.</p></body></html>",
            "time.html": '<html><body><h1>Strike ends</h1><p><time datetime="2026-04-02T08:00">April 2</time></p>'
            "<p>Crews returned.</p></body></html>",
            "dated.txt": "World | Science\nRover lost after dust storm\nUpdated 10:42 AM EST, Thu March 5, 2026\nThe rover stopped.\n",
            "plain.txt": "Date night ideas for 2026\nThe deal was signed in 2024.\n",
            "aside.html": '<html><body><aside><time datetime="2025-01-01">Older story</time></aside><h1>Talks</h1>'
            "<p>They met.</p></body></html>",
        },
    )
    published = {source: a.published for source, a in articles.items()}
    assert published == {
        "meta.html": "2026-03-05T10:42:00Z",  # the page's own metadata before a <time> in its text
        "time.html": "2026-04-02T08:00",
        "dated.txt": "10:42 AM EST, Thu March 5, 2026",
        "plain.txt": None,  # a year in a headline or the text is not a publication date
        "aside.html": None,  # a related story's date is not the page's
    }
    assert [published_date(published[k]).date().isoformat() for k in ("meta.html", "time.html", "dated.txt")] == [
        "2026-03-05",
        "2026-04-02",
        "2026-03-05",
    ]
    assert published_date("Updated 2026-02-31") is None and published_date("Posted Feb 31, 2026") is None  # not dates


def test_a_saved_web_page_gives_its_outlet_and_address_and_a_title_without_the_sites_name(tmp_path):
    """A page saved from a news site names its outlet (``og:site_name``, else the name its <title> adds after the
    headline) and its address (``rel=canonical``, else ``og:url``): the answer then says "According to" the
    outlet and links to the article."""
    head = (
        '<meta property="og:site_name" content="Valley &amp; Hill Courier"><meta property="og:url" '
        'content="https://example.com/og"><link rel="canonical" href="https://example.com/bridge">'
    )
    articles = _articles(
        tmp_path,
        {
            "meta.html": f"<html><head><title>Bridge shut | VHC</title>{head}</head><body><h1>Bridge shut</h1>"
            "<p>The bridge closed on Monday.</p></body></html>",
            "title.html": "<html><head><title>Cracks close the bridge - The Valley Courier</title>"
            '<meta property="og:url" content="https://example.com/cracks"></head><body><h1>Cracks close the '
            "bridge</h1><p>Inspectors found cracks.</p></body></html>",
            # a dash inside a headline that the page's <h1> does not end at is the headline's own
            "dash.html": "<html><head><title>Biden - Putin summit ends</title></head><body><h1>Summit ends</h1>"
            "<p>They met.</p></body></html>",
            "bare.html": "<html><body><h1>Strike ends</h1><p>Crews returned.</p></body></html>",
        },
    )
    got = {source: (a.title, a.outlet, a.url) for source, a in articles.items()}
    assert got == {
        "meta.html": ("Bridge shut", "Valley & Hill Courier", "https://example.com/bridge"),
        "title.html": ("Cracks close the bridge", "The Valley Courier", "https://example.com/cracks"),
        "dash.html": ("Biden - Putin summit ends", None, None),
        "bare.html": ("Strike ends", None, None),
    }


def test_a_page_whose_text_is_only_in_its_json_ld_is_read_from_there_with_exact_offsets(tmp_path):
    """Some news pages ship the article as schema.org JSON-LD ("articleBody") and fill the page in with a script: the
    article is that text, each character mapped to its place (or its escape) in the page, and the JSON-LD names its
    headline, date, outlet and address. A page that shows the article keeps its own text."""
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "Reservoir page"},
            {
                "@type": "NewsArticle",
                "headline": "Swimming banned at Bramley Reservoir",
                "datePublished": "2026-07-08T06:00:00+01:00",
                "publisher": {"@type": "Organization", "name": "North Dales Courier"},
                "mainEntityOfPage": {"@id": "https://example.org/reservoir"},
                "articleBody": 'Swimming was banned on Tuesday \u2014 tests found "toxic" algae.\n\nThe ban lasts '
                "all summer, the water company said.",
            },
        ],
    }
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    shown = "<p>Swimming was banned on Tuesday. Tests found toxic algae in the water, the company said.</p>" * 3
    articles = _articles(
        tmp_path,
        {
            "script.html": f"<html><head><title>Swimming banned at Bramley Reservoir - NDC</title>{script}</head>"
            '<body><div id="app">Loading…</div></body></html>',
            "shown.html": f"<html><head>{script}</head><body>{shown}</body></html>",
            "as-html.html": "<html><head><script type='application/ld+json'>"
            + json.dumps({"@type": "NewsArticle", "articleBody": "<p>Swimming was banned.</p>"})
            + "</script></head><body><p>The ban lasts all summer.</p></body></html>",
        },
    )
    page = articles["script.html"]
    assert (
        page.text
        == 'Swimming was banned on Tuesday — tests found "toxic" algae.\nThe ban lasts all summer, the water company said.'
    )
    assert (page.title, page.outlet, page.published, page.url) == (
        "Swimming banned at Bramley Reservoir",
        "North Dales Courier",
        "2026-07-08T06:00:00+01:00",
        "https://example.org/reservoir",
    )
    start, end = page.original_span(0, page.text.index(" algae"))
    assert page.original[start:end] == 'Swimming was banned on Tuesday \\u2014 tests found \\"toxic\\"'
    assert articles["shown.html"].text.startswith("Swimming was banned on Tuesday. Tests found toxic algae")
    assert articles["as-html.html"].text == "The ban lasts all summer."


def test_markdown_inline_syntax_is_not_article_text_and_what_is_kept_maps_to_the_file(tmp_path):
    """Web clippers save articles as Markdown full of links and emphasis: a quote reads "a red warning", not
    "[a red warning](https://…)", and still points at the file's own characters. The byline's date is the article's."""
    text = (
        "# Storm live: trains cancelled\n\n*Live coverage from the Herald newsroom. Published: 2026-01-22*\n\n"
        "**14:05 GMT** – The Met Office said [a red warning](https://example.org/warn_now) was *in force* until "
        "21:00.[^1] ![radar](radar.png)\n\nKeep snake_case, 5 * 3 and `rag index` readable; __Westgrid__ said so.\n"
    )
    article = _articles(tmp_path, {"live.md": text})["live.md"]
    assert article.text == (
        "Storm live: trains cancelled\nLive coverage from the Herald newsroom. Published: 2026-01-22\n"
        "14:05 GMT – The Met Office said a red warning was in force until 21:00.\n"
        "Keep snake_case, 5 * 3 and rag index readable; Westgrid said so."
    )
    assert article.published == "2026-01-22" and article.title == "Storm live: trains cancelled"
    for i, ch in enumerate(article.text):
        if ch != "\n":
            start, end = article.original_span(i, i + 1)
            assert article.original[start:end] == ch
    start, end = article.original_span(article.text.index("a red"), article.text.index(" was in force"))
    assert article.original[start:end] == "a red warning"


def test_a_pages_site_name_after_its_headline_goes_when_the_page_names_its_site():
    from index.html_text import html_page

    page = html_page(
        '<html><head><title>Sodium battery line opens | Midlands Tech Record</title><meta property="og:site_name" '
        'content="Midlands Tech Record"></head><body><div>Sodium battery line opens</div></body></html>'
    )
    assert (page.meta["title"], page.meta["outlet"]) == ("Sodium battery line opens", "Midlands Tech Record")


def test_a_list_of_links_to_other_stories_is_dropped_and_an_articles_own_section_kept():
    from index.cleaning import classify_blocks

    story = [f"Paragraph {i} of the story, long enough to read as prose and not as a link to another story." for i in range(4)]
    links = ["More from Energy", "Solar farm plan rejected at appeal", "Heat pump installs hit record"]
    assert classify_blocks(story + links)[4:] == ["boilerplate tail"] * 3
    section = [
        "More from the minister",
        "She said the plan would go ahead in spring, whatever the cost of the works turned out to be.",
    ]
    assert classify_blocks(story + section)[4:] == [None, None]


def test_jsonl_exports_name_their_fields_as_news_apis_do(tmp_path, caplog):
    """Exports from news APIs and crawlers write "body" or "content", "headline", "publishedAt", and "source" as an
    object with a "name": read as the text, title, date and outlet. A line with none of the text's names is skipped
    with the fields it has, so that the user knows what to rename."""
    lines = [
        '{"source": {"id": null, "name": "Valley Courier"}, "headline": "Bridge shut", "publishedAt": '
        '"2026-11-23T15:45:00Z", "link": "https://example.com/bridge", "body": "The bridge closed on Monday."}',
        '{"title": "Port reopens", "date": "March 5, 2026", "source": "https://example.com/port", "content": "It reopened."}',
        '{"title": "Plain", "text": "The text wins.", "content": "Not this.", "published": "someday"}',
        '{"headline": "Only a summary", "summary": "Nothing to index."}',
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        articles = load_file(path, "export.jsonl")
    got = [(a.title, a.text, a.published, a.url, a.outlet) for a in articles]
    assert got == [
        ("Bridge shut", "The bridge closed on Monday.", "2026-11-23T15:45:00Z", "https://example.com/bridge", "Valley Courier"),
        ("Port reopens", "It reopened.", "March 5, 2026", "https://example.com/port", None),
        ("Plain", "The text wins.", None, None, None),  # "someday" is no date
    ]
    assert 'line 4 skipped: no string field "text" (or "body", "content"); its fields: "headline", "summary"' in caplog.text
    for a in articles:  # citations still point into the file
        start, end = a.original_span(0, len(a.text))
        assert path.read_text(encoding="utf-8")[start:end] == a.text


def test_a_news_apis_cut_off_text_is_indexed_without_its_marker_and_told(tmp_path, caplog):
    """NewsAPI's free plan ends "content" with "… [+1834 chars]": shown as a related passage before."""
    path = tmp_path / "newsapi.jsonl"
    path.write_text(
        '{"title": "Skylark strike", "content": "Skylark said it would rebook passengers free of charge or o\\u2026 '
        '[+1834 chars]"}\n{"title": "Heat", "content": "Lisbon recorded 44.1C... [+92 chars]"}\n',
        encoding="utf-8",
    )
    with caplog.at_level("WARNING"):
        articles = load_file(path, "newsapi.jsonl")
    assert [a.text for a in articles] == ["Skylark said it would rebook passengers free of charge or o", "Lisbon recorded 44.1C"]
    assert "newsapi.jsonl line 1: its text is cut off by the news API ([+1834 chars])" in caplog.text
    assert "line 2: its text is cut off by the news API ([+92 chars])" in caplog.text
