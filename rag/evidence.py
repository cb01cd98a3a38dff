"""Sentence-level evidence: which sentences of the retrieved chunks answer the question, and how well.

The trained reader (rag/reader.py) reads every retrieved chunk with the question and gives each
sentence its log-odds of answering (``Candidate.reader``); that ranks the sentences, and the best
one's calibrated probability decides answer or refuse. Sentences that are never an answer
(questions, bylines, social counters, the title repeated as a headline) are kept as context but not quoted.

Cheap lexical features per sentence, still used to compose the answer (agreement between
sources, "related" passages) and returned by ``Assistant.explain``:
  dense     cosine of question and sentence embeddings (the shortlist's, computed when first needed; for a
            follow-up whose reference could not be put in, of what it means with the previous question)
  coverage  IDF-weighted share of the question's content terms found in the sentence
  context   the same share over the sentence, its neighbours and the title (a name may sit one sentence earlier)
  names     share of the question's capitalised names found in that window (names_here: in the sentence
            itself, or in the sentence before when it opens with "It", "The company"…; or, for a name that
            qualifies a noun in the question, "the Tarvik bridge", "the mayor of Tarvik", where its chunk or
            title names it and the sentence says "the bridge", "Mayor Ilse Brandt")
  type_ok   the sentence holds a filler of the expected answer type (a number for "how many",
            a date for "when", a name for "who") that is not already in the question (rag/answer_types.py)

A best sentence without a filler, nor one in the sentence it leans on, for a question whose answer
is always written in that form (a count, an amount, a share, a length, the year, a name: rag/answer_types.py), refuses
outright (rag/finder.py): it may be about the question, it does not answer it.
"""

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from index.analysis import STOPWORDS, terms, words
from index.lexical import LexicalIndex

from .answer_types import CAPITALISED, FORMS_RANKED_LAST, answer_form, fillers, gives, other_year, question_type, years
from .offices import Office, asked_office, countries_of_offices, other_holder
from .reader import Reader, Window
from .retrieve import Retrieved
from .speakers import Speaker, asked_speaker, other_speaker, speaker_named_before

# Words that shape a question without naming what it is about.
_QUESTION_NOISE = frozenset(
    terms(
        "happen happened describe description role react reaction respond response kind type name "
        "called call mean meaning explain reason according article report reported news corpus many much "
        "long often first"
    )
)


@dataclass
class Question:
    text: str
    type: str
    terms: list[str]  # distinct content terms, question noise removed
    weights: dict[str, float]  # IDF per term
    lowered_words: set[str]
    names: list[str]  # stemmed terms of the question's capitalised words (names, places, organisations)
    form: str = ""  # what its answer is always written with (``answer_form``: "number", "year"), or ""
    years: frozenset[str] = frozenset()  # the years it names ("2022"): a sentence naming only others cannot answer
    office: Office | None = None  # the office whose holder it asks for ("Armenia's foreign minister", rag/offices.py)
    speaker: Speaker | None = None  # the named speaker whose words it asks for ("What did Putin say…?", rag/speakers.py)
    described: dict[str, frozenset[str]] = field(default_factory=dict)  # a name's term -> the nouns it qualifies (``_described``)

    @property
    def mass(self) -> float:
        return sum(self.weights.values()) or 1.0


CONTEXT_WEIGHT = 0.25  # weight of the terms a follow-up borrowed from the previous question


def analyze(question: str, lexical: LexicalIndex, context: str | None = None) -> Question:
    """``context``: words of the question that came from the conversation (a follow-up's antecedent):
    they count less, since the sentence that answers may leave them to its neighbours."""
    content = [t for t in dict.fromkeys(terms(question)) if t not in _QUESTION_NOISE]
    capitalised = [m.group(0) for m in CAPITALISED.finditer(question) if m.start() > 0]
    names = [t for t in dict.fromkeys(terms(" ".join(capitalised))) if t in content]
    borrowed = set(terms(context)) if context else set()
    qtype = question_type(question)
    return Question(
        text=question,
        type=qtype,
        terms=content,
        weights={t: lexical.idf(t) * (CONTEXT_WEIGHT if t in borrowed else 1.0) for t in content},
        lowered_words=set(words(question)),
        names=[t for t in names if t not in borrowed],
        form=answer_form(question, qtype),
        years=frozenset(years(question)),
        office=asked_office(question),
        speaker=asked_speaker(question),
        described=_described(question),
    )


# A name as a question writes it: capitalised words in a row, inside the question ("Porto", "the Court of Appeal"; not
# "the CEO of Tesla", whose acronym a name may follow).
_NAME = re.compile(
    r"(?<!^)(?<![.!?]\s)(?<![\w’'-])[A-Z][\w’'-]*[a-zA-Z](?:(?:\s+|(?<=[a-z])\s+of\s+(?:the\s+)?)[A-Z][\w’'-]*[a-zA-Z])*\b"
)


_POSSESSIVE = re.compile(r"['’]s?$")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Mt|Ft|Gen|Lt|Col|Capt|Cmdr|Sgt|Sen|Rep|Gov|Rev|Sr|Jr)\.?\s+(?=[A-Z])")


def never_mentioned(
    question: str, lexical: LexicalIndex, retrieved: list[Retrieved], near: Callable[[str], bool] | None = None
) -> tuple[str, ...]:
    """The question's names, as written, with a word that the corpus never mentions: "Porto" asked of articles that
    speak of Lisbon. Such a question is about something the corpus does not hold, and a sentence on its topic does not
    answer it. A word is mentioned when a chunk holds its term, or the title of a retrieved article does (the index's
    words are its chunks' text, and a title may name what its article calls "the city"), or a term ``near`` it (index/
    typos.py ``Speller.near``: "Hamaz" may be the corpus's "Hamza"). An acronym ("CEO", "NATO") always is: an article
    may spell it out. The speller corrected the question before (rag/assistant.py): "Herve" is searched as "Hervé"."""
    question = _HONORIFIC.sub("", question)  # "Mr. Lavrov": Lavrov, not "Mr" (which AP style never writes)
    if sum(w[:1].isupper() and w.lower() in STOPWORDS for w in question.split()[1:]) >= 2:
        return ()  # in title case ("What Did Aliyev Say On Twitter?"), a capital marks no name
    titles = {t for r in retrieved for t in terms(r.chunk.title)}

    def mentioned(word: str) -> bool:
        missing = {t for t in terms(word) if t not in _QUESTION_NOISE and not lexical.df.get(t, 0) and t not in titles}
        if word.isupper() or not missing:
            return True
        parts = [p for p in re.findall(r"[^\W\d_]+", word) if set(terms(p)) & missing]  # "Nassau-Saarbucken": each part
        return bool(near) and all(near(p) for p in parts)

    names = (_POSSESSIVE.sub("", m.group(0)) for m in _NAME.finditer(question))  # "Tesla's chief": "Tesla"
    return tuple(dict.fromkeys(name for name in names if not all(mentioned(w) for w in name.split())))


# A name that qualifies a noun in the question: "the Tarvik bridge", "the Old Harbour bridge", "Tarvik's mayor", "the
# mayor of Tarvik". An article that names Tarvik may say "the bridge" or "Mayor Ilse Brandt" after: the name is there.
_NAMED_NOUNS = (
    re.compile(r"\bthe (?P<name>(?:[A-Z][\w-]*\s)+)(?P<noun>[a-z][\w-]*(?: [a-z][\w-]*)?)"),
    re.compile(r"\b(?P<name>(?:[A-Z][\w-]*\s)*[A-Z][\w-]*)['’]s (?P<noun>[a-z][\w-]*(?: [a-z][\w-]*)?)"),
    re.compile(
        r"\b(?:the|a|an|its|their) (?:[a-z][\w-]* )?(?P<noun>[a-z][\w-]*) (?:of|in|at|for) (?:the )?(?P<name>(?:[A-Z][\w-]*\s?)+)"
    ),
)


def _described(question: str) -> dict[str, frozenset[str]]:
    """The question's name terms, each with the nouns it qualifies (``_NAMED_NOUNS``), as written; of two words,
    either ("the Nordlys wind farm" is "the farm" further on)."""
    out: dict[str, set[str]] = {}
    for m in (m for pattern in _NAMED_NOUNS for m in pattern.finditer(question)):
        for noun in (w for w in m["noun"].split() if terms(w)):
            for t in terms(m["name"]):
                out.setdefault(t, set()).add(noun)
    return {t: frozenset(n) for t, n in out.items()}


# Words of a thing's state, not of its kind: "the rebuilt bridge" is the bridge asked about, "the horizontal engine"
# need not be the engine asked about.
_STATE = (
    r"(?:new|rebuilt|renovated|restored|repaired|reopened|upgraded|expanded|completed|finished|planned|proposed|"
    r"damaged|destroyed|closed|disputed|controversial|troubled|existing|current|former)"
)


def _refers(noun: str, text: str) -> bool:
    """The sentence names the thing by its noun alone: "the bridge", "the rebuilt bridge" (a word of its state
    between, ``_STATE``; "the horizontal engine" is another kind of engine), or as a title, "Mayor Ilse Brandt",
    "Chief librarian Tomas Reyes"; not "the work of Isaac Newton" (another name's), asked about "the work of
    Galileo", nor "the Tarvik bridge" (a name between)."""
    return bool(
        re.search(rf"\bthe (?:{_STATE} )?{noun}(?:e?s)?\b(?! (?:of|in|at|for) (?:the )?[A-Z])", text, re.I)
        or re.search(rf"\b[{noun[:1].upper()}{noun[:1]}]{noun[1:]}(?:e?s)? [A-Z]", text)
    )


@dataclass
class Candidate:
    """One sentence of a retrieved chunk, with its features."""

    retrieved: Retrieved
    index: int  # sentence index within the chunk
    text: str
    orig_start: int
    orig_end: int
    terms: set[str]
    coverage: float = 0.0
    context: float = 0.0
    names: float = 0.0
    names_here: float = 0.0
    type_ok: float = 0.0
    fillers: set[str] = field(default_factory=set)
    missing_form: str = ""  # what the question asks for (``answer_form``: "number") when no filler is here: it cannot answer
    other_year: str = ""  # the years the question names ("2022") when this sentence names only others: it is about another time
    other_holder: str = ""  # the office asked for ("Armenia's foreign minister") when no name here stands beside it
    other_speaker: str = ""  # the speaker asked about ("Putin") when neither this sentence nor what it leans on names them
    score: float = 0.0  # the probability that this sentence answers the question
    shortlisted: "tuple[Shortlist, int] | None" = None  # where its sentence vector comes from (``Shortlist``)
    reader: float = -math.inf  # the reader's log-odds that this sentence answers (vs nothing in its chunk)
    logit: float = -math.inf  # the fitted ranker's log-odds over the reader and the lexical features (``score`` = its sigmoid)
    span: tuple[int, int] | None = None  # the reader's short answer within ``text``

    @property
    def document_id(self) -> str:
        return self.retrieved.chunk.document_id

    @property
    def about_other(self) -> bool:
        """About another year, office holder or speaker than the question asks: ranked after the rest, never the answer."""
        return bool(self.other_year or self.other_holder or self.other_speaker)

    @property
    def ranked_last(self) -> bool:
        """Ranked after the rest (rag/finder.py): about another year, office holder or speaker, or without the number a
        count, amount, share or length question asks for, the time to come a "when will" question asks for, or the number
        of inhabitants a population question asks for (a
        sentence further down may give it: "How much did the lifeboat cost?" is asked of the sentence that gives
        "£2.4 million", not of the lead that restates the question). One that lacks a year or a name is not: names
        and years fill in too easily."""
        return self.about_other or self.missing_form in FORMS_RANKED_LAST

    @property
    def vector(self) -> np.ndarray | None:
        """The sentence's embedding (shortlisted sentences only; embedded when first asked for)."""
        return self.shortlisted[0].vector(self.shortlisted[1]) if self.shortlisted else None

    @property
    def dense(self) -> float:
        """Cosine of the question (or of what a follow-up means, rag/finder.py) and the sentence (shortlisted
        sentences only, else 0)."""
        return float(self.vector @ self.shortlisted[0].query_vector) if self.shortlisted else 0.0


def candidates(retrieved: list[Retrieved]) -> list[Candidate]:
    """Distinct sentences of the retrieved chunks (overlapping chunks share sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for r in retrieved:
        for i, (cs, ce, os_, oe) in enumerate(r.chunk.sentences):
            key = (r.chunk.document_id, os_)
            if key in seen:
                continue
            seen.add(key)
            text = r.chunk.text[cs:ce]
            out.append(Candidate(r, i, text, os_, oe, set(terms(text)) | countries_of_offices(text)))
    return out


def lexical_features(question: Question, cands: list[Candidate]) -> None:
    """The features that need no embedding (cheap), in place."""
    form = question.form  # checked on every sentence, against its fillers and those of the sentence it leans on
    chunk_terms: dict[str, set[str]] = {}
    for c in cands:
        c.coverage = _covered(question, c.terms)
        window = c.terms | _window_terms(c)
        c.context = _covered(question, window)
        c.names = sum(1 for t in question.names if t in window) / len(question.names) if question.names else 1.0
        here = c.terms | _antecedent_terms(c) | _described_here(question, c, chunk_terms)
        c.names_here = sum(1 for t in question.names if t in here) / len(question.names) if question.names else 1.0
        c.fillers = fillers(c.text, question.type, question.lowered_words)
        c.type_ok = 1.0 if question.type == "any" or c.fillers else 0.0
        lacks = form and not gives(form, c.fillers, c.text) and not gives(form, _antecedent_fillers(c, question), _leaned_text(c))
        c.missing_form = form if lacks else ""
        c.other_year = other_year(question.years, c.text, frozenset(question.terms))
        c.other_holder = other_holder(question.office, c.text, _leaned_text(c)) if question.office else ""
        c.other_speaker = other_speaker(question.speaker, c.text, _speakers_text(c)) if question.speaker else ""


class Shortlist:
    """The best few sentences of a question, embedded when first needed: the decision reads the best
    sentence's cosine with the question (that one alone is embedded then); comparing sources and listing
    related passages embed them all together, so an answer whose sentences have short answers to compare
    waits for one sentence's vector only. ``embed`` caches by text (index/embedding.py ``VectorCache``)."""

    def __init__(self, cands: list[Candidate], embed: Callable[[list[str]], np.ndarray], query_vector: np.ndarray) -> None:
        self.texts = [c.text for c in cands]
        self.query_vector = query_vector
        self._embed = embed
        self._vectors: np.ndarray | None = None
        self._first: tuple[int, np.ndarray] | None = None  # the one sentence embedded alone
        self._lock = threading.Lock()
        for i, c in enumerate(cands):
            c.shortlisted = (self, i)

    @property
    def vectors(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                self._vectors = self._embed(self.texts)
            return self._vectors

    def vector(self, i: int) -> np.ndarray:
        """The ``i``-th sentence's vector: the first asked for alone (the decision's, the best sentence's); once a
        second one is asked for, all of them together."""
        with self._lock:
            if self._vectors is None and self._first is None:
                self._first = (i, self._embed([self.texts[i]])[0])
            if self._first is not None and self._first[0] == i:
                return self._first[1]
        return self.vectors[i]


def _described_here(question: Question, c: Candidate, chunk_terms: dict[str, set[str]]) -> set[str]:
    """The question's names that a candidate speaks of by their noun: "the bridge" where the chunk (or its title)
    names the Tarvik bridge asked about, "Mayor Ilse Brandt" for the mayor of Tarvik (``Question.described``)."""
    if not question.described:
        return set()
    chunk = c.retrieved.chunk
    if chunk.chunk_id not in chunk_terms:  # once per chunk
        chunk_terms[chunk.chunk_id] = set(terms(chunk.title + " " + chunk.text))
    named = chunk_terms[chunk.chunk_id]
    return {t for t, nouns in question.described.items() if t in named and any(_refers(n, c.text) for n in nouns)}


def _window_terms(c: Candidate) -> set[str]:
    """Terms of the sentences just before and after a candidate, and of its article's title."""
    chunk = c.retrieved.chunk
    around = [chunk.text[s[0] : s[1]] for s in chunk.sentences[max(0, c.index - 1) : c.index + 2]]
    return set(terms(chunk.title + " " + " ".join(around)))


def _antecedent_terms(c: Candidate) -> set[str]:
    """Terms of the sentence a candidate leans on ("It declared…"), across a paragraph break too (news
    paragraphs are often one sentence): a name there counts as the sentence's own. (Measured: requiring
    the same paragraph, as quoting does, lowered the ranker's cross-validated accuracy@1 on dev from
    0.843 to 0.828.)"""
    prev = leaned_on(c)
    return _sentence_terms(c, prev) if prev else set()


def _antecedent_fillers(c: Candidate, question: Question) -> set[str]:
    """Answer-type fillers of the sentence a candidate leans on ("The council hired 40 officers. They start in May.")."""
    text = _leaned_text(c)
    return fillers(text, question.type, question.lowered_words) if text else set()


def _speakers_text(c: Candidate) -> str:
    """Where a candidate's speaker may be named besides the sentence itself: its article's title, the sentence it
    leans on, and the sentence before when that one names who speaks in it (``speaker_named_before``)."""
    before = ""
    if c.index > 0 and speaker_named_before(c.text):
        span = c.retrieved.chunk.sentences[c.index - 1]
        before = c.retrieved.chunk.text[span[0] : span[1]]
    return " ".join((c.retrieved.chunk.title, _leaned_text(c), before))


def _leaned_text(c: Candidate) -> str:
    """The text of the sentence a candidate leans on (``leaned_on``), else ""."""
    prev = leaned_on(c)
    return c.retrieved.chunk.text[prev[0] : prev[1]] if prev else ""


def _covered(question: Question, present: set[str]) -> float:
    if not question.terms:
        return 0.0
    return sum(w for t, w in question.weights.items() if t in present) / question.mass


def missing_mass(question: Question, retrieved: list[Retrieved]) -> float:
    """Share of the question's IDF mass found in no retrieved chunk at all."""
    present: set[str] = set()
    for r in retrieved:
        present |= set(terms(r.chunk.title + " " + r.chunk.text))
    return 1.0 - _covered(question, present) if question.terms else 1.0


def sentence_features(c: Candidate) -> dict[str, float]:
    """What the sentence ranker may use (rag/reader.py's ``Calibration`` names the ones it does)."""
    return {
        "reader": max(c.reader, -30.0),
        "coverage": c.coverage,
        "context": c.context,
        "names": c.names,
        "names_here": c.names_here,
        "type_ok": c.type_ok,
    }


def decision_facts(c: Candidate) -> dict[str, float]:
    """What the decision may use of the best sentence besides its ranker score: its sentence features and
    its embedding cosine with the question (``dense``: close in meaning where the words differ, as in a
    question asked in other words; shortlisted sentences only, else 0)."""
    return {**sentence_features(c), "dense": c.dense}


NO_ANSWER_FACTS = {
    "reader": -30.0,
    "coverage": 0.0,
    "context": 0.0,
    "names": 0.0,
    "names_here": 0.0,
    "type_ok": 0.0,
    "dense": 0.0,
}


def question_features(question: Question, retrieved: list[Retrieved], lexical: LexicalIndex) -> dict[str, float]:
    """The question's terms that the evidence lacks: found in no retrieved chunk, or unknown to the corpus."""
    unknown = [t for t in question.terms if lexical.df.get(t, 0) == 0]
    return {
        "missing": missing_mass(question, retrieved),
        "unknown": sum(question.weights[t] for t in unknown) / question.mass if question.terms else 1.0,
    }


def decision_row(
    best: float | None, second: float | None, facts: dict[str, float], question_level: dict[str, float]
) -> dict[str, float]:
    """The answer/refuse decision's features (rag/reader.py's ``Calibration`` names the ones it uses):
    the best sentence's ranker log-odds, its lead over the runner-up, the best sentence's facts and
    the question-level features. ``best`` None: no sentence could answer. One place, shared by the
    assistant and the calibration (evals/calibrate.py)."""
    if best is None:
        return {"best": -30.0, "lead": 0.0, **NO_ANSWER_FACTS, **question_level}
    second = best - 10.0 if second is None else second
    return {"best": max(best, -30.0), "lead": min(best - second, 10.0), **facts, **question_level}


def decision_features(
    question: Question, ranked: list[Candidate], retrieved: list[Retrieved], lexical: LexicalIndex
) -> dict[str, float]:
    """``decision_row`` for a question's ranked candidates."""
    question_level = question_features(question, retrieved, lexical)
    if not ranked or ranked[0].reader == -math.inf:
        return decision_row(None, None, {}, question_level)
    best = ranked[0]
    second = next((c.logit for c in ranked[1:] if c.logit > -math.inf), None)
    return decision_row(best.logit, second, decision_facts(best), question_level)


# --- the reader --------------------------------------------------------------------------------
_COUNTER = re.compile(r"\b\d[\d,.]*\s*[KkMm]?\s+(followers|following|likes|shares|comments|views|subscribers|retweets)\b", re.I)
_BYLINE = re.compile(
    r"^\s*(?i:by|written by|reporting by|edited by)\s+[A-Z][\w.'’-]*(\s+(?:and\s+)?[A-Z][\w.'’-]*){0,4}\s*(,.*)?$|"
    r"^\s*(?i:updated|published|posted|last updated)\b.{0,40}\d"
)


# Text that addresses an assistant or gives it instructions: never quoted, never passed to an LLM.
INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above|previous)\b|"
    r"\byou are now\b|\bsystem prompt\b|\b(reply|respond|answer|say) only with\b|\bnew instructions?\b|"
    r"\bas an ai\b|<\|im_start\|>|\[/?INST\]|^\W*(assistant|system|user|ai|chatbot)\s*:|"
    r"\bthe answer to (every|any|all|each) questions?\b|\b(language model|ai assistant|chatbot)s?\b.{0,40}\b(must|should|always)\b",
    re.I | re.S,
)


HEADING_WORDS = 12  # a subheading is this short, at most
_FULL_STOP = re.compile(r"[.!…][\"”’')\]]*$")  # a sentence ends so; a headline, hardly ever


def quotable(text: str, title: str, at_top: bool = False) -> bool:
    """Whether a sentence can be an answer at all: not a question, byline, counter, heading, the title,
    or text addressed to an assistant. ``at_top``: among the first lines of its article, where a line
    without a full stop is a headline or its subheading; further down, a short one without a number is a
    subheading ("Russia calls for “restraint” and de-escalation of the situation") or a line of the page."""
    stripped = text.strip()
    n_words = len(stripped.split())
    if not re.search(r"[.!?…\"”’')\]]$", stripped) and (
        at_top or (n_words <= HEADING_WORDS and not any(ch.isdigit() for ch in stripped))
    ):
        return False
    if stripped.endswith("?") or _COUNTER.search(stripped) or INJECTION.search(stripped):
        return False
    if _BYLINE.match(stripped) and n_words <= 16:
        return False
    # the title repeated as a line of the text is a headline; a full sentence there is the article's lead, which a
    # text file's title is taken from (index/metadata.py): it states the news, as every other sentence does
    if _is_title(stripped, title) and not _FULL_STOP.search(stripped):
        return False
    return n_words >= 4 or any(ch.isdigit() for ch in stripped)


def _is_title(sentence: str, title: str) -> bool:
    """The article's title repeated as a line of its text (titles may be cut short with "…")."""
    s = " ".join(sentence.lower().split()).rstrip(". ")
    t = " ".join(title.lower().split()).rstrip(".… ")
    return bool(t) and (s == t or (len(t) >= 30 and s.startswith(t)) or (len(s) >= 30 and t.startswith(s)))


def read(reader: Reader, question: str, retrieved: list[Retrieved], cands: list[Candidate]) -> None:
    """Every candidate's reader margin and short answer, reading each retrieved chunk as one window."""
    windows = [Window(r.chunk.title, [r.chunk.text[s[0] : s[1]] for s in r.chunk.sentences]) for r in retrieved]
    best: dict[tuple[str, int], tuple[float, tuple[int, int] | None]] = {}
    for r, reading in zip(retrieved, reader.read(question, windows)):
        for i, sentence in enumerate(r.chunk.sentences):
            key = (r.chunk.document_id, sentence[2])
            if key not in best or reading.margins[i] > best[key][0]:
                best[key] = (reading.margins[i], reading.spans[i])
    for c in cands:
        margin, span = best.get((c.document_id, c.orig_start), (-math.inf, None))
        if not quotable(c.text, c.retrieved.chunk.title, at_top=c.retrieved.chunk.ordinal == 0 and c.index <= 2):
            margin, span = -math.inf, None
        c.reader, c.span = margin, span


# A sentence that opens with a pronoun or "the <noun>" leans on the sentence before it.
_ANAPHOR = re.compile(
    r"^\W*(he|she|it|they|his|her|its|their|this|these|those|that|there|the (\w+ )?"
    r"(company|park|firm|group|city|town|village|country|organi[sz]ation|agency|team|"
    r"government|project|plan|deal|bill|law|ministry|report|study|museum|school|club|"
    r"band|show|film|book|man|woman|couple|official|spokesman|spokeswoman|suspect|victim))\b",
    re.I,
)


def leaned_on(c: Candidate) -> tuple[int, int, int, int] | None:
    """The span of the sentence before a candidate that opens with an anaphor ("It", "The company"…), else None."""
    if c.index == 0 or not _ANAPHOR.match(c.text):
        return None
    return c.retrieved.chunk.sentences[c.index - 1]


def _sentence_terms(c: Candidate, span: tuple[int, ...]) -> set[str]:
    return set(terms(c.retrieved.chunk.text[span[0] : span[1]]))


def overlap(a: Candidate, b: Candidate) -> bool:
    """Two candidates quote overlapping text of one article (a sentence and an antecedent pulled in before another)."""
    return a.document_id == b.document_id and a.orig_start < b.orig_end and b.orig_start < a.orig_end


def with_antecedent(c: Candidate) -> Candidate:
    """The candidate, extended back over the sentence it leans on (``leaned_on``) when the two can be quoted
    as one passage: a quotable sentence, in the same paragraph or in the paragraph before with nothing but
    the line break between them in the file ("… broke away from the Azerbaijan SSR.\nIt declared
    independence in 1991"; in an HTML page, markup between paragraphs would enter the quote)."""
    prev = leaned_on(c)
    chunk = c.retrieved.chunk
    start, end = chunk.sentences[c.index][0], chunk.sentences[c.index][1]
    gap = chunk.text[prev[1] : start] if prev is not None else ""
    if (
        prev is None
        or ("\n" in gap and (gap.strip() or c.orig_start - prev[3] != start - prev[1]))
        or not quotable(chunk.text[prev[0] : prev[1]], chunk.title)
    ):
        return c
    shift = start - prev[0]
    span = (c.span[0] + shift, c.span[1] + shift) if c.span else None
    return replace(c, index=c.index - 1, text=chunk.text[prev[0] : end], orig_start=prev[2], span=span)
