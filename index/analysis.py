"""Word analysis shared by BM25 and the answerer: lower-case, drop stop words, stem."""

import re
from functools import lru_cache

import Stemmer

from .dates import MONTH_ABBREVIATIONS, MONTHS
from .spelling import american

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
# An acronym written with full stops is the acronym: "U.S." and "U. S." are "US", "D.C." is "DC" (upper case only: "a.m."
# stays two letters). News in AP style writes "U.S." where a user types "US".
_DOTTED = re.compile(r"[A-Z](?<!\w[A-Z])\.(?: ?[A-Z]\.)+")
# A month abbreviated beside a day ("Sept. 27", "27 Sep") is the month: AP style abbreviates where a user writes it out.
# Only beside a day, and capitalised: "Jan" alone may be a name. (Each pattern opens with its capital letters, not a
# word boundary, so that a scan skips the rest of the text fast: words() runs on every sentence read.)
_FULL_MONTH = {a: next(m for m in MONTHS if m.lower().startswith(a[:3])) for a in MONTH_ABBREVIATIONS}
_MAYBE_MONTH = re.compile(r"[ADFJMNOS](?<!\w[ADFJMNOS])[a-z]{2,3}\b\.?")
_DAY_AFTER = re.compile(r"\s+\d{1,2}(?:st|nd|rd|th)?\b")


def _month(m: re.Match) -> str:
    word, text, at = m.group(0).rstrip("."), m.string, m.start()
    full = _FULL_MONTH.get(word.lower())
    beside_day = _DAY_AFTER.match(text, m.end()) or (at >= 2 and text[at - 1].isspace() and text[at - 2].isdigit())
    return full if full and beside_day else m.group(0)


_stemmer = Stemmer.Stemmer("english")

# Irregular verbs: the stemmer leaves "lost" and "lose", "wrote" and "write" apart, and questions ask with
# the base form ("When did the rover lose contact?") what articles tell in the past ("lost contact").
# Each group is the base form, then its past forms; forms that are mostly other words in news ("bound",
# "ground", "lay", "lit", "wound", "born"; "met" and "fed" for the Met Office and the Fed) and verbs that are stop
# words (do, have, say, tell) are left out.
_IRREGULAR_VERBS = """arise arose arisen|awake awoke awoken|beat beaten|become became|begin began begun|bend bent|
bite bitten|bleed bled|blow blew blown|break broke broken|breed bred|bring brought|build built|burn burnt|buy bought|
catch caught|choose chose chosen|cling clung|come came|creep crept|deal dealt|dig dug|draw drew drawn|dream dreamt|
drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|feel felt|fight fought|find found|
flee fled|fling flung|fly flew flown|forbid forbade forbidden|foresee foresaw foreseen|forget forgot forgotten|
forgive forgave forgiven|freeze froze frozen|get got gotten|give gave given|go went gone|grow grew grown|hang hung|
hear heard|hide hid hidden|hold held|keep kept|kneel knelt|know knew known|lead led|leap leapt|leave left|lend lent|
lose lost|make made|mean meant|mislead misled|mistake mistook mistaken|overcome overcame|
oversee oversaw overseen|overtake overtook overtaken|overthrow overthrew overthrown|pay paid|prove proven|
rebuild rebuilt|repay repaid|rethink rethought|rewrite rewrote rewritten|ride rode ridden|ring rang rung|
rise rose risen|run ran|see saw seen|seek sought|sell sold|send sent|shake shook shaken|shine shone|shoot shot|
show shown|shrink shrank shrunk|sing sang sung|sink sank sunk|sit sat|slay slew slain|sleep slept|slide slid|
speak spoke spoken|speed sped|spend spent|spin spun|spring sprang sprung|stand stood|steal stole stolen|stick stuck|
sting stung|strike struck stricken|strive strove striven|swear swore sworn|sweep swept|swim swam swum|swing swung|
take took taken|teach taught|tear tore torn|think thought|throw threw thrown|undergo underwent undergone|
understand understood|undertake undertook undertaken|undo undid undone|uphold upheld|wake woke woken|wear wore worn|
weave wove woven|weep wept|win won|withdraw withdrew withdrawn|withhold withheld|withstand withstood|write wrote written"""
_BASE_FORM = {form: group.split()[0] for group in _IRREGULAR_VERBS.split("|") for form in group.split()[1:]}
# Who does it: "Who founded the paper?" is answered by "its founder, …", "Who leads the union?" by "the union's
# leader". Nouns of the doer whose stem is not the verb's, read as the verb (and its plural); "player", "runner" and
# "host" are left out (a question about playing is not about every player of a sports page).
_AGENT_NOUNS = """leader lead|founder found|owner own|winner win|ruler rule|killer kill|voter vote|worker work|
investor invest|buyer buy|seller sell|builder build|writer write|speaker speak|creator create|inventor invent|
settler settle|teacher teach|singer sing|driver drive|farmer farm|trader trade|lender lend|holder hold|
survivor survive|visitor visit|editor edit|painter paint|governor govern|director direct|successor succeed"""
_BASE_FORM |= {form: verb for noun, verb in (pair.split() for pair in _AGENT_NOUNS.split("|")) for form in (noun, noun + "s")}
ANALYZER_VERSION = "5"  # bump when terms() changes: BM25 indexes built with another version are rebuilt


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    word = american(word)  # "defence" and "defense" are one term (index/spelling.py)
    return _stemmer.stemWord(_BASE_FORM.get(word, word))


def words(text: str) -> list[str]:
    """Lower-cased words, with possessives and apostrophes normalised ("Azerbaijan’s" -> "azerbaijan")."""
    out = []
    text = _MAYBE_MONTH.sub(_month, _DOTTED.sub(lambda m: m.group(0).replace(".", "").replace(" ", ""), text))
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
