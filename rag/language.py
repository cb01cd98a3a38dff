"""Which questions are not in English: the articles are searched in English (the embedding model, the reader,
the stemmer and the spelling correction are English), so such a question is told to ask in English."""

import re
import unicodedata

ENGLISH_ONLY_NOTE = (
    "The articles are searched in English, and this question does not look like English: ask it in English for an answer."
)
_ENGLISH = set(
    "the a an of in on at to is are was were be been did do does what who whom whose when where why how "
    "which many much and or for with by from about has have had not it its this that".split()
)
_FOREIGN = set(
    "le la les des du est que qui quoi quand où comment pourquoi combien une un et "
    "el los las qué quién cuándo dónde cómo cuántos por es y del "
    "der die das und ist wer wie wann warum wo nicht den dem ein eine "
    "il che chi perché dove sono della "
    "quem não onde são uma".split()
)


def looks_non_english(question: str) -> bool:
    """True for a question in another script (Cyrillic, Arabic, CJK, …) or with more non-English words than English ones."""
    letters = [ch for ch in question if ch.isalpha()]
    if not letters:
        return False
    other_script = sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN"))
    if other_script / len(letters) > 0.3:
        return True
    words = re.findall(r"[^\W\d_]+", question.lower())
    english = sum(w in _ENGLISH for w in words)
    foreign = sum(w in _FOREIGN for w in words)
    return foreign >= 2 and foreign > english
