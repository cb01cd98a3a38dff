"""What form an answer takes, read from words: the kind of answer a question expects (``question_type``: a
count, a date, a name…), the form it is always written in (``answer_form``: a number, a year, a name), the years
a question names and a sentence about other years (``other_year``), and the fillers of that kind a sentence
holds (``fillers``: "2,000", "Nov.", "Parukh"). The evidence features (rag/evidence.py) and the answer's
composition (rag/answer.py: whether two sources agree, ``agree``) read them.
"""

import re

from index.analysis import STOPWORDS, terms, words

from .lexicon import COUNT_WORDS, MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS

_NUMBER_WORDS = COUNT_WORDS
_NUMBER = re.compile(r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# How many times, or a count given loosely: "twice", "a handful of protesters", "several people".
_TIMES = re.compile(r"\b(once|twice|thrice|a handful|a few|several)\b", re.IGNORECASE)
_MONTHS = " ".join(m.lower() for m in MONTHS) + " " + " ".join(MONTH_ABBREVIATIONS)
_DATE = re.compile(
    r"\b(" + "|".join(_MONTHS.split()) + r")\b\.?|\b(1[5-9]\d\d|20\d\d)s?\b|\b(" + "|".join(d.lower() for d in WEEKDAYS) + r")\b|"
    r"\b(yesterday|today|tomorrow|tonight|(?:last|next|this|later this|earlier this) "
    r"(?:year|month|week|weekend|fall|spring|summer|winter))\b",
    re.IGNORECASE,
)
_MONTH_OF = {name: name[:3] for name in _MONTHS.split()}  # "november", "nov", "sept" -> "nov", "sep"
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth twenty-first"
).split()
# Times a "when" question is answered with that _DATE does not cover: an older year ("in 1066", "1413"),
# a century, an era, a clock time, a season, an episode ("in season 3").
_WHEN = re.compile(
    r"\b1[0-4]\d\d\b|\b(?:in|since|from|until|till|by|around|about|circa|c\.|before|after|during) \d{3}\b|"
    r"\b\d{1,4}\s?(?:BC|BCE|AD|CE|B\.C\.|A\.D\.)(?!\w)|\b(?:AD|A\.D\.)\s?\d{1,4}\b|"
    r"\b(?:\d{1,2}(?:st|nd|rd|th)|" + "|".join(_ORDINALS) + r")[- ]centur(?:y|ies)\b|"
    r"\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(?:noon|midnight|spring|summer|autumn|winter)\b|"
    r"\b(?:season|episode|series) \d+\b|\(\d{3,4}\s?[–-]\s?\d{2,4}\)|"
    r"\b(?:\d[\d,.]*|"
    + "|".join(_NUMBER_WORDS)
    + r"|a|an|several|few) (?:day|week|month|year|decade|centur(?:y|ie))s? (?:ago|later)\b",
    re.IGNORECASE,
)


def _duration(units: str) -> re.Pattern:
    """A quantity of some of these units of time: "44-day", "two and a half years" (its last part), "15 minutes"."""
    quantity = r"\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r"|several|few|a couple of|a|an|half an?|half"
    return re.compile(rf"\b({quantity})[- ]({units})s?\b", re.IGNORECASE)


_DURATION = _duration(r"sec|second|day|week|month|year|hour|minute|decade|centur(?:y|ie)")
# on a clock's scale, which a "how long is" question may ask for (not "a 44-day war": the length of a border)
_CLOCK_DURATION = _duration(r"sec|second|minute|hour")
# A span of time given by its ends: "since the 1960s", "until 1796", "from 4 August 1915".
_SPAN = re.compile(r"\b(?:since|until|till|from|between)\b", re.IGNORECASE)
_LENGTH = re.compile(
    r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")[- ]?(km|kilometres?|kilometers?|miles?|metres?|meters?|feet|foot)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"\b(\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r")\s*(%|percent\b|per cent\b|percentage points?\b)|"
    r"\b(half|a third|two[- ]thirds|a quarter|three[- ]quarters|one in (?:" + "|".join(_NUMBER_WORDS) + r"|\d+))\b|"
    r"\b(?:" + "|".join(_NUMBER_WORDS) + r"|\d+) out of (?:every )?(?:" + "|".join(_NUMBER_WORDS) + r"|\d+)\b|"
    r"\b(?:one|a|two|three|four)[- ](?:third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)s?\b",
    re.I,
)
_ISO_CURRENCY = r"USD|EUR|GBP|RUB|JPY|CNY|CHF|INR|NOK|SEK|DKK|AUD|CAD"
_CURRENCY = (
    r"dollars?|euros?|pounds?|(?:u\.?s\.? )?cents?|rubles?|roubles?|yen|yuan|renminbi|rupees?|francs?|manats?|drams?|"
    r"lira|pesos?|kron(?:er|e|or|a|ur)|zlotys?|forints?|korunas?|leva?|hryvnias?|lari|tenge|shekels?|dinars?|"
    r"riyals?|rials?|dirhams?|rand|naira|cedis?|shillings?|baht|ringgits?|rupiah|dong|reais|" + _ISO_CURRENCY
)
_MONEY = re.compile(
    r"[$€£¥₽₹]\s?(\d[\d,.]*)(?:\s*(?:million|billion|trillion|bn|m|k)\b)?|"
    r"\b(\d[\d,.]*)\s*(?:(?:million|billion|trillion)\s+)?(?:" + _CURRENCY + r")\b|"
    r"\b(?:" + _ISO_CURRENCY + r")\s?(\d[\d,.]*)",
    re.I,
)
CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*[a-zA-Z]\b|\b[A-Z]{2,}\b")
_FIRST_WORD = re.compile(r"^\W*")
_NAMED_TIMES = frozenset([m.lower() for m in (*MONTHS, *WEEKDAYS)] + [a.lower() for a in MONTH_ABBREVIATIONS])
# Words that are capitalised only because they open a sentence: not a name ("The command … is taking measures").
_OPENERS = STOPWORDS | set(
    "however meanwhile yet still later earlier last next now today yesterday tomorrow despite although though "
    "since many several one two three four five six seven eight nine ten".split()
)

# "What is the name of…", "What's the minister's name?" asks for a name, which is written capitalised: in the train
# and dev parts of SQuAD 2.0, each of the 168 sentences that answer such a question (or the sentence before it)
# holds a capitalised word that is not in the question and does not merely open the sentence. ("What is another
# name for…" and "What is X called?" ask for a term, often lower case: "problem instance", "net force".)
_ASKS_NAME = re.compile(
    r"\b(?:what|which)(?:'s|’s| is| was| were| are) (?:the |his |her |its |their )?(?:[\w-]+(?:'s|’s) )?"
    r"(?:(?:full|first|last|official|real|new) )?names?\b(?! (?:given|for)\b)",
    re.I,
)

_QUESTION_TYPES = [
    (
        "length",  # "How long is the border?", not "How long is the term?" nor "How long is the plan due to last?"
        re.compile(
            r"^(?!.*\b(last|lasts|take|takes|remain|stay|term|wait|serve|sentence|delay|season|trip|journey|flight)\b)"
            r".*(\bhow (long|wide|far|high|tall) (is|are)\b|\bwhat is the (length|distance|width)\b)",
            re.I,
        ),
    ),
    ("duration", re.compile(r"^\s*(for )?how long\b", re.I)),
    (
        "percent",
        re.compile(r"\b(percent(age)?|per cent|proportion|what share|share of|what portion|what fraction|how much of)\b|%", re.I),
    ),
    (
        "money",
        re.compile(
            # "how much did it cost", not "how much oil did they sell" or "how much time did they spend"
            r"\bhow much (money |cash )?(did|does|do|will|would|could|should|is|was|were|are|has|have|had)\b.*"
            r"\b(cost|costs|costing|pay|pays|paid|spend|spends|spent|worth|price|fund|funds|funding|budget|"
            r"raise|raised|earn|earns|earned|fine|fined|charge|charged|owe|owes|sell|sold|buy|bought|invest|invested|loan|money)\b|"
            r"\b(what|which) (is|was|were|are|will be) the (price|cost|budget|fine)\b",  # not "value": of a force too
            re.I,
        ),
    ),
    ("count", re.compile(r"\bhow many\b", re.I)),
    (
        "number",
        re.compile(
            r"\bhow much\b|\b(what|which) (is|was|were|are) the (number|population|size|length|area|price|cost|death toll|gdp|height|age|amount)\b",
            re.I,
        ),
    ),
    ("date", re.compile(r"^\s*when\b|\b(what|which) (year|date|day|month|time)\b|\bin (what|which) year\b|\bsince when\b", re.I)),
    (
        "entity",
        re.compile(
            r"^\s*(who|whom|whose|where)\b|\b(with whom|to whom|by whom)\b|\bwhich (\w+ )?(person|official|minister|leader|outlet|organi[sz]ation|group|country|countries|alliance|village|city|town|agency|newspaper|president|general|commander|party)\b|\bwhat is the name\b|"
            + _ASKS_NAME.pattern,
            re.I,
        ),
    ),
]


_WHEN_CLAUSE = re.compile(r"^\s*when\b[^,?]*,\s*(?=(what|which|who|whom|whose|where|how|why)\b)", re.I)


# The kinds of answer a sentence cannot give without a filler of that form, each with what it asks for, as a
# refusal names it ("The passages that come closest give no number"). Not "when" (but "in what year": below),
# which asks for a time or a condition ("when does the secretary of state become president?"), "how long",
# which a span answers, nor "who" or "where", answered in lower case too ("the dukes"): measured on the dev
# splits (README, "Answers that lack the asked-for form").
ANSWER_FORMS = {
    "count": "number",
    "number": "number",
    "money": "sum of money",
    "percent": "share",
    "length": "length or distance",
}
NUMBER_FORMS = frozenset(ANSWER_FORMS.values())  # the forms above: each written with a number
# Of the "when" questions, those that ask for the year ("In what year…", "Which year…") are answered by one:
# in the train and dev parts of SQuAD 2.0, 239 of the 242 answers to such a question hold a year (the
# other three answer "in what century", left out here), and 227 of the 228 sentences that answer one hold a
# time that ``_A_YEAR`` accepts.
_ASKS_YEAR = re.compile(r"\b(what|which) year\b", re.I)
# Among a sentence's time fillers, those that give the year: "1066", "in 911", "12 BC", "(1564–1598)", "two years
# later"; and those its article's publication date, shown with the quote, dates: "Nov.", "Thursday", "yesterday",
# "last week". Not a season, a clock time ("10 a.m."), a century ("the 12th century") or an episode.
_A_YEAR = re.compile(
    r"^(?:\d{3,4}s?|(?:in|since|from|until|till|by|around|about|circa|c\.|before|after|during) \d{3}|"
    r"\d{1,4}\s?(?:bc|bce|ad|ce|b\.c\.|a\.d\.)|(?:ad|a\.d\.)\s?\d{1,4}|\(\d{3,4}.*\)|.*\byears?\b.*|"
    + "|".join(sorted(set(_MONTH_OF.values())))
    + r"|\w+day|tomorrow|tonight|(?:last|next|this|later this|earlier this) \w+)$"
)


# A "when" question about what is to come ("When will they sign the treaty?", "When is the bridge expected to
# reopen?") is answered by a sentence that speaks of the future: a past date ("the hostilities ended in November
# 2020") does not answer it. In SQuAD 2.0's train and dev parts, each of the 6 answerable questions asked so has such
# a word in the sentence that answers it ("will launch in April 2016", "is set to launch", "would…").
FUTURE = "future date"
_ASKS_FUTURE = re.compile(
    r"^\W*when\s+(?:will|shall)\b|^\W*when\s+(?:is|are)\b.{0,80}?\b(?:going|expected|scheduled|due|set|planned|likely)\s+to\b",
    re.I,
)
_SPEAKS_OF_FUTURE = re.compile(
    r"\b(?:will|won['’]t|would|shall|['’]ll|going to|expects?|expected|expecting|scheduled|plans?|planned|planning|"
    r"intends?|aims?|hopes?|due|set to|is to|are to|next|upcoming|coming|soon|later|eventually|future|forthcoming|"
    r"pending|deadline|by the end of)\b",
    re.I,
)


# A question for a population ("What is the population of Nagorno-Karabakh?", "How large is the population…?") asks
# for a number of inhabitants: a count of the dead ("the conflict claimed around 30,000 lives") does not answer it,
# and a count within the population ("How many people in the population are over 65?") is not asked so. In SQuAD
# 2.0's train and dev articles (not its test ones), each of the 47 sentences that answer a question naming a
# population (or the sentence before it) speaks of one in these words.
POPULATION = "population figure"
# the population's size, not a count within it ("How many people in the population are over 65?") nor its change
_ASKS_POPULATION = re.compile(
    r"\b(?:what|how (?:large|big))(?:['’]s| is| was| were| are| will be)? (?:the |its |their )?"
    r"(?:total |estimated |current |approximate |overall )?population\b(?! (?:growth|change|density|decline)\b)",
    re.I,
)
_SPEAKS_OF_POPULATION = re.compile(
    r"\b(?:populations?|populous|populated|inhabit(?:ants?|ed|s)?|residents?|census|dwellers|home to|"
    r"(?:people|persons|families) (?:live|lived|living|reside|resided)|(?:live|lived|living|reside|resided) (?:in|there))\b",
    re.I,
)


# The forms whose lack ranks a sentence after the rest (``Candidate.ranked_last``): a sentence further down may give
# the number, or speak of what is to come; a name or a year fills in too easily to rank by.
FORMS_RANKED_LAST = NUMBER_FORMS | {FUTURE, POPULATION}


def answer_form(question: str, qtype: str) -> str:
    """What the answer to the question is always written with ("number", "year", "name", a time to come, a population
    figure), or "" when it varies."""
    if qtype == "date" and _ASKS_FUTURE.search(question):
        return FUTURE
    if qtype in ("number", "count", "any") and _ASKS_POPULATION.search(question):  # "What's the population…?" too
        return POPULATION
    if qtype == "date" and _ASKS_YEAR.search(question):
        return "year"
    if qtype == "entity" and _ASKS_NAME.search(question):
        return "name"
    return ANSWER_FORMS.get(qtype, "")


# A year a question names ("Who won the 2022 prize?"): a sentence that gives other years and not this one is
# about another time, ranked after the others and never the answer (in SQuAD 2.0's train and dev parts, 13 of
# the 511 sentences that answer such a question name only other years).
_YEAR = re.compile(r"\b(1\d\d\d|20\d\d)\b(?!s\b)")  # not a decade ("the 1950s")
_DECADE = re.compile(r"\bthe (?:early |mid-?|late )?(\d{4})['’]s\b", re.I)  # "the 1950's" (but "2022's race" is 2022)
# A year that dates someone or something in the background, not the event: "born in 1940", "(1867–1934)", "(b.
# 20 December 1948)", "founded in Paris in 1998", "since 2002", "officials said in 2024", "a 2005 UN report said".
_BACKGROUND_YEAR = re.compile(
    r"\((?:born |b\. )?[^()]{0,20}\d{4}[^()]{0,30}\)|"
    r"\b(?:born|founded|established|since|said|says|reported|announced|wrote|told \w+)\b(?:\s+(?:in|on))?(?:\s+[\w,]+){0,3}?\s+\d{4}\b|"
    r"\ban? \d{4}(?:\s+\w+)?\s+(?:report|study|survey|census|poll|estimate|statement|interview|book|paper)\b",
    re.I,
)
# A year before the thing it dates: "the 2020 deal", "its 2019 report" (not "in 2020 the deal").
_YEAR_OF_A_THING = re.compile(r"\b(?:the|a|an|its|their|his|her|whose)\s+(?:1\d\d\d|20\d\d)\s+(?P<thing>[A-Za-z][\w-]*)")
# Years given as a span cover those between: "2021–22", "from 2017 to 2021", "between 2019 and 2022".
_SPAN_OF_YEARS = re.compile(
    r"\b(\d{4})\s?[–-]\s?(\d{2}|\d{4})\b|\b(?:from|between)\s+(\d{4})\s+(?:to|and|until|through|till)\s+(\d{4})\b", re.I
)


def years(text: str) -> set[str]:
    """The years a text names, spans filled in ("2021–23" names 2022)."""
    found = set(_YEAR.findall(_DECADE.sub(" ", text)))
    for m in _SPAN_OF_YEARS.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        first, last = int(a), int(a[: 4 - len(b)] + b)
        found |= {str(y) for y in range(first, last + 1)} if 0 < last - first <= 50 else set()
    return found


def other_year(asked: frozenset[str], text: str, about: frozenset[str] = frozenset()) -> str:
    """The years the question names (``asked``: "2022") when the sentence names years and none of these, else "".
    A year before a thing the question does not name (``about``: the question's terms) is that thing's and not
    the time of what the sentence tells: "Moscow accused Azerbaijan of violating the 2020 deal" may answer a
    question about 2022; "Gurnah won the 2021 Nobel Prize" does not answer one about the 2022 prize."""
    if not asked or asked & years(text):
        return ""
    background = _BACKGROUND_YEAR.sub(" ", text)
    background = _YEAR_OF_A_THING.sub(lambda m: m[0] if set(terms(m["thing"])) & about else " ", background)
    return " or ".join(sorted(asked)) if years(background) else ""


def gives(form: str, found: set[str], text: str = "") -> bool:
    """Whether a sentence (``text``, and its answer-type fillers ``found``) holds the form asked for."""
    if form == FUTURE:
        return bool(_SPEAKS_OF_FUTURE.search(text))
    if form == POPULATION:  # a number (the question's type may have found no fillers: "What's the population…?")
        return bool(found or _NUMBER.search(text)) and bool(_SPEAKS_OF_POPULATION.search(text))
    return any(_A_YEAR.search(f) for f in found) if form == "year" else bool(found)


def question_type(question: str) -> str:
    """The kind of answer the question expects; "When forces act on a body, what…?" asks the "what"."""
    if clause := _WHEN_CLAUSE.match(question):
        question = question[clause.end() :]
    for name, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "any"


def fillers(text: str, qtype: str, question_words: set[str]) -> set[str]:
    """Answer-type fillers in a sentence that the question does not already contain."""
    if qtype in ("number", "count"):
        # "how many": a share or a sum of money is not a count
        other = [m.span() for p in (_PERCENT, _MONEY) for m in p.finditer(text)] if qtype == "count" else []
        found = {m.group(0).lower().rstrip(".,") for m in _NUMBER.finditer(text) if not any(a <= m.start() < b for a, b in other)}
        if qtype == "number":  # "how much did sales fall?": "by a third"
            found |= {m.group(0).lower() for m in _PERCENT.finditer(text)}
        found |= {m.group(0).lower() for m in _TIMES.finditer(text)}
        found -= {m.group(0).lower() for m in _DATE.finditer(text) if m.group(2)}  # years are dates, not counts
    elif qtype == "percent":
        found = {m.group(0).lower() for m in _PERCENT.finditer(text)}
    elif qtype == "money":
        found = {m.group(0).lower() for m in _MONEY.finditer(text)}
    elif qtype == "date":  # "Nov." and "November" are one month: sources that write them differently agree
        found = {_MONTH_OF.get(t, t) for m in _DATE.finditer(text) for t in [m.group(0).lower().rstrip(".")]}
        found |= {m.group(0).lower() for m in _WHEN.finditer(text)}
        question_words = question_words | {_MONTH_OF[w] for w in question_words if w in _MONTH_OF}
    elif qtype == "duration":  # "for three years", or its ends: "since the 1960s", "until 1796"
        found = {m.group(0).lower() for m in _DURATION.finditer(text)}
        if _SPAN.search(text):
            found |= fillers(text, "date", question_words)
    elif qtype == "length":  # a way, a film or a speech is long in time too: "a detour … adds roughly 15 minutes"
        found = {m.group(0).lower() for p in (_LENGTH, _CLOCK_DURATION) for m in p.finditer(text)}
    elif qtype == "entity":  # a capitalised word, but not one that only opens the sentence ("The", "However")
        first = _FIRST_WORD.match(text).end()
        found = {
            m.group(0).lower() for m in CAPITALISED.finditer(text) if m.start() != first or m.group(0).lower() not in _OPENERS
        } - _NAMED_TIMES  # "Friday", "November": no one, nowhere
    else:
        return set()
    return {f for f in found if not set(words(f)) <= question_words}


_DECADE_FILLER = re.compile(r"\d{3}0s")


def agree(a: set[str], b: set[str]) -> bool:
    """Two sentences' fillers give the same answer: one in both, or a decade and a year in it ("the early 1990s",
    "1991"), so that two sources are not said to differ."""
    return bool(a & b) or _in_a_decade(b, a) or _in_a_decade(a, b)


def _in_a_decade(years: set[str], decades: set[str]) -> bool:
    starts = {d[:3] for d in decades if _DECADE_FILLER.fullmatch(d)}
    return any(y[:3] in starts for y in years if len(y) == 4 and y.isdigit())
