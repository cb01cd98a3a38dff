"""Word analysis shared by BM25 and the answerer: lower-case, drop stop words, stem."""

import re
from functools import lru_cache

import Stemmer

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves did does say said says tell told
    according""".split()
)
_WORD = re.compile(r"[\w’'-]+")
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-cased words, with possessives and apostrophes normalised ("Azerbaijan’s" -> "azerbaijan")."""
    out = []
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'").strip("'-")
        if word.endswith("'s"):
            word = word[:-2]
        for part in word.split("-") if "-" in word and not word.replace("-", "").isdigit() else [word]:
            if part:
                out.append(part)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms of a text, in order, stop words removed."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS]
