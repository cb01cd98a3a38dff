"""Boilerplate removal for news pages: which blocks (lines/paragraphs) are not article text.

News files carry donation appeals, sign-in and registration walls, newsletter boxes, "read
more" lists, photo captions and credits. They must not be indexed or cited. The rules work on
whole blocks and return a keep/drop decision per block, so the article text that remains keeps
exact offsets into the original file (see index/mapped.py).
"""

import re

# A block matching one of these is a caption or a photo/agency credit.
_CAPTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(in )?(this|these) (\w+ )?(image|photo|photograph|picture|handout|video still|file photo)s?\b",
        r"\((\w[\w .,'’-]* )?(via )?(AP|AFP|Reuters|Getty Images|EPA|TASS|Xinhua)( Photo)?[\w .,/'’-]*\)\s*$",
        r"photo( by|:| credit)",
        r"^(photo|image|picture|illustration)s?( source)?\s*:",
        r"\b(getty|profimedia|shutterstock|alamy) images\b",
        r"^(credit|source|caption)\s*:",
        r"^\w[\w .'’-]* (contributed|contributed to) (this )?report(ing)?\.?$",
    )
]
# Phrases of sign-in walls, newsletter boxes and donation appeals. A short block with one of
# them is boilerplate; the phrases are specific, so article prose ("voters must register") is kept.
_BOILERPLATE = re.compile(
    r"\b(sign in|sign up|log ?in|register (for free|to continue|now|here|or)|or register|already registered|"
    r"once registered|by registering|registering also|subscribe[ds]?|subscription|newsletter|"
    r"continue reading|continue with|terms (and|&) conditions|privacy policy|notifications|"
    r"enter your email|check your email|sent an email|remind me later|donat(e|ion)|"
    r"support (us|our)|become a (member|subscriber)|share (this|on)|follow us|"
    r"all rights reserved|click here|read more|related (articles|stories|coverage)|"
    r"never miss|stay updated|daily edition|use the following structure)\b",
    re.IGNORECASE,
)
# A cookie notice, in the site's own voice ("We use cookies…; by continuing to browse you agree to our cookie policy"),
# at any length up to _NOTICE_WORDS: an article about cookies reports them in the third person ("setting tracking
# cookies before visitors agreed"), which a short block may do too.
_COOKIE_NOTICE = re.compile(
    r"\b(we|this (site|website)|our (site|website)) uses? cookies\b|\byou (agree|consent) to (our|the) (use of )?cookies?\b|"
    r"^\s*(accept|manage) (all |your )?cookies\b",  # a button's label, not "made users accept cookies"
    re.IGNORECASE,
)
_NOTICE_WORDS = 80
# A block that is nothing but a page-furniture label.
_LABEL = re.compile(
    r"^(advertisement|advert|ad|sponsored( content)?|share( this( article)?)?|comments?( \(\d[\d,]*\))?|\d[\d,]* comments?|"
    r"skip to (main )?content|cookie (settings|preferences|policy)|"
    r"listen to (this )?article|print|email)\s*[:.]?$",
    re.IGNORECASE,
)
# A block that starts a tail of boilerplate: everything after it is dropped too, provided the
# tail is at the end of the article (see _TAIL_SHARE).
_TAIL_START = re.compile(
    r"^(read more|more on this( story)?|related( articles| stories| coverage)?|"
    r"a message from [\w .'’-]+|dear readers|support (independent )?journalism|"
    r"recommended( for you)?|most read|you may also like)\s*[:.!]?\s*$",
    re.IGNORECASE,
)
# A heading that may start a list of links to other stories ("More from Energy", "Top stories"), or an article's own
# section ("More from the minister"): a tail only when every block after it is as short as a headline.
_LINKS_START = re.compile(
    r"^(more (stories|news|headlines)|more from( the)? [\w'’&-]+( [\w'’&-]+)?|most popular|you might also like|also read|"
    r"see also|top stories|trending( now)?|latest (news|stories|headlines))\s*[:.!]?\s*$",
    re.IGNORECASE,
)
_HEADLINE_WORDS = 15
_TAIL_SHARE = 0.5  # a tail trigger must sit in the last half of the blocks
_SHORT_WORDS = 25


def junk_reason(block: str) -> str | None:
    """Why one block is boilerplate, or None when it reads as article text."""
    text = block.strip()
    if any(p.search(text) for p in _CAPTION):
        return "caption or credit"
    if _LABEL.match(text):
        return "page furniture"
    words = len(text.split())
    if words <= _SHORT_WORDS and _BOILERPLATE.search(text):
        return "sign-in, newsletter or appeal"
    if words <= _NOTICE_WORDS and _COOKIE_NOTICE.search(text):
        return "cookie notice"
    return None


def classify_blocks(blocks: list[str]) -> list[str | None]:
    """For each block, None to keep it or the reason it is dropped."""
    reasons: list[str | None] = [junk_reason(b) for b in blocks]
    tail_from = next(
        (
            i
            for i, b in enumerate(blocks)
            if i >= len(blocks) * _TAIL_SHARE
            and (
                _TAIL_START.match(b.strip())
                or (_LINKS_START.match(b.strip()) and all(len(a.split()) <= _HEADLINE_WORDS for a in blocks[i + 1 :]))
            )
        ),
        None,
    )
    if tail_from is not None:
        for i in range(tail_from, len(blocks)):
            reasons[i] = reasons[i] or "boilerplate tail"
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        key = " ".join(block.split()).lower()
        if reasons[i] is None and key in seen and len(key) > 40:
            reasons[i] = "duplicate block"
        seen.add(key)
    return reasons
