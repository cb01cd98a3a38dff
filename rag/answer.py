"""The default answerer: evidence sentences -> a short answer in which every sentence is cited.

No LLM: the answer is made of the sentences the trained reader (rag/reader.py) ranks best, quoted
whole (with the sentence before when it opens with a pronoun that names nothing on its own).
Several articles that state the same fact (the same short answer) are merged on one sentence
([1][2]); articles that give different answers are attributed ("According to ..."). Whether to
answer at all is the reader's calibrated probability against its threshold (rag/models/reader), 0 when
the best sentence lacks the form of answer asked for (a number for "how many", a year for "in what year", a
name for "what is the name of") or
is about another year than the question names (rag/evidence.py, rag/finder.py); a refusal then says why.
"""

import re

from index.dates import published_date
from index.store import StoredArticle

from .answer_types import agree
from .evidence import Candidate, overlap, with_antecedent
from .types import Answer, Citation

NOT_IN_CORPUS = "The corpus does not say."
MAX_SENTENCES = 3
SCORE_MARGIN = 0.08  # a further sentence must score within this of the best one
RELATED_DENSE, RELATED_COVERAGE = 0.35, 0.34  # below both, a passage is not even "related"
SENTENCE_MIN = 0.5  # a sentence beyond the best is quoted only if the reader thinks it answers, more likely than not
CORROBORATE_MIN = 0.2  # a sentence with the same short answer as a quoted one may score this low and still corroborate it
CANDIDATES_CONSIDERED = 12
AGREE_COSINE = 0.72  # two sentences from different articles this close state the same thing


def compose(
    question: str,
    ranked: list[Candidate],
    probability: float,
    threshold: float,
    articles: dict[str, StoredArticle],
    unheard: tuple[str, ...] = (),
) -> Answer:
    """``unheard``: the names the question asks about that the corpus never mentions (rag/finder.py ``Evidence``)."""
    if not ranked or probability < threshold:
        return refuse(question, ranked, probability, articles, unheard)

    ranked = prefer_recent(question, ranked, articles)
    best = ranked[0]
    groups: list[list[Candidate]] = [[best]]  # each group: one stated sentence + corroborating ones
    for c in ranked[1:CANDIDATES_CONSIDERED]:
        if c.score < CORROBORATE_MIN or c.ranked_last:  # the rest: about another year, office holder or speaker, or no number
            break
        if best.type_ok and not c.type_ok:
            continue
        twin = next((g for g in groups if _same_fact(g[0], c)), None)
        if twin is not None:  # another article states the same fact: cite it on the same sentence
            same_typed = bool(c.fillers & twin[0].fillers) and bool(short_answer(c))  # the same number, date or name
            if c.document_id not in {x.document_id for x in twin} and (same_typed or c.score >= SENTENCE_MIN):
                twin.append(c)
            continue
        # a further sentence must answer the question on its own, nearly as well as the best
        if len(groups) < MAX_SENTENCES and c.score >= max(SENTENCE_MIN, best.score - SCORE_MARGIN):
            groups.append([c])

    attribute = len({g[0].document_id for g in groups}) > 1 and _disagree(groups)
    by_title = attribute and len({_short_title(articles, g[0]) for g in groups}) < len(groups)
    groups = _without_overlaps([[with_antecedent(c) for c in g] for g in groups])
    citations: list[Citation] = []
    parts: list[str] = []
    for group in groups:
        markers = []
        for c in group:
            citations.append(citation(len(citations) + 1, c, articles))
            markers.append(f"[{len(citations)}]")
        text = group[0].text.replace("\n", " ")  # a quote across a paragraph break reads as one passage
        if attribute:
            text = f"According to {_short_title(articles, group[0], by_title)}: {text}"
        parts.append(f"{text} {''.join(markers)}")
    answer = " ".join(parts)
    if attribute:
        answer = "The sources differ. " + answer
    return Answer(status="answered", answer=answer, citations=citations, question=question, confidence=probability)


# A refusal's reason speaks of the closest passage, or of all those shown (the UI says which are shown: ui/format.py)
CLOSEST_PASSAGES = "The passages that come closest"
CLOSEST_PASSAGE = "The passage that comes closest"
# the rules that rule a sentence out (rag/finder.py), in the order their reasons are told: (what the candidate holds,
# how the reason ends for all the passages shown, for the closest one)
_RULED_OUT = (
    ("other_year", "are about other years than {}", "is about another year than {}"),
    ("other_holder", "do not name {}", "does not name {}"),
    ("other_speaker", "do not say what {} said", "does not say what {} said"),
    ("missing_form", "give no {}", "gives no {}"),
)


def _why_not(shown: list[Candidate]) -> str:
    """Why the best sentences cannot answer, when a rule says so, else "". The closest passage shown (``shown``,
    closest first) is the first to explain: one about another year, or without the number asked for, is ranked after
    the rest (rag/finder.py), though it came closest. Said of every passage shown only when it is true of each: a
    passage further down may give the number that the closest lacks ("with a budget of 3.5 billion euros", ranked too
    low to answer)."""
    for rule, of_all, of_one in _RULED_OUT:
        what = getattr(shown[0], rule)
        if not what:
            continue
        if all(getattr(c, rule) for c in shown):
            return f"{CLOSEST_PASSAGES} {of_all.format(what)}"
        return f"{CLOSEST_PASSAGE} {of_one.format(what)}"
    return ""


def refuse(
    question: str,
    ranked: list[Candidate],
    probability: float,
    articles: dict[str, StoredArticle],
    unheard: tuple[str, ...] = (),
) -> Answer:
    """A refusal, with the closest passages as "related" when any is close at all, and why when a rule says
    the best sentence cannot answer ("The passages that come closest give no number"), or when the question names
    what the corpus never mentions (``unheard``: 'The indexed articles never mention "Porto"')."""
    closest_first = sorted(ranked, key=lambda c: c.logit, reverse=True)  # one about another year too (rag/finder.py)
    close = [c for c in distinct(closest_first) if c.dense >= RELATED_DENSE or c.coverage >= RELATED_COVERAGE]
    related = [citation(n, c, articles) for n, c in enumerate(close[:3], start=1)]
    if unheard:
        reason = "The indexed articles never mention " + " or ".join(f"“{name}”" for name in unheard)
    else:
        reason = _why_not(close[:3]) if close else ""  # of the passages shown: none shown, none to explain
    return Answer(
        status="not_in_corpus", answer=NOT_IN_CORPUS, related=related, question=question, confidence=probability, reason=reason
    )


_RECENT = re.compile(
    r"\b(this (week|month|year)|recent(ly)?|latest|newest|most recent|last (week|month)|"
    r"currently|now|nowadays|these days|so far)\b",
    re.I,
)


def prefer_recent(question: str, ranked: list[Candidate], articles: dict[str, StoredArticle]) -> list[Candidate]:
    """For "this week", "recently", "latest"…: among the sentences that answer, the newest article's first
    (articles without a ``published`` date keep their rank, after the dated ones)."""
    if not _RECENT.search(question):
        return ranked
    answering = [c for c in ranked if c.score >= SENTENCE_MIN and not c.ranked_last]
    when = {id(c): published_date(articles[c.document_id].published) for c in answering if c.document_id in articles}
    dated = [c for c in answering if when.get(id(c))]
    if len(dated) < 2:
        return ranked
    newest = sorted(dated, key=lambda c: when[id(c)], reverse=True)  # stable: ties keep their rank
    return newest + [c for c in ranked if all(c is not n for n in newest)]


def _without_overlaps(groups: list[list[Candidate]]) -> list[list[Candidate]]:
    """Drop a stated sentence already quoted inside an earlier one (an antecedent pulled in)."""
    kept: list[list[Candidate]] = []
    for group in groups:
        if any(overlap(k[0], group[0]) for k in kept):
            continue
        kept.append(group)
    return kept


def short_answer(c: Candidate) -> str:
    """The reader's short answer in a sentence, normalised for comparison ("" when it has none)."""
    if not c.span:
        return ""
    return " ".join(c.text[c.span[0] : c.span[1]].lower().strip(" .,;:\"'“”‘’()").split())


def _same_fact(a: Candidate, b: Candidate) -> bool:
    """The same sentence, or the same short answer; without short answers, a near-paraphrase that
    shares its typed fillers (a second source is cited only for the fact it states too)."""
    if a.document_id == b.document_id and a.orig_start == b.orig_start:
        return True
    sa, sb = short_answer(a), short_answer(b)
    if sa and sb:
        return sa == sb or (min(len(sa), len(sb)) >= 4 and (sa in sb or sb in sa))
    if a.fillers and b.fillers and not (a.fillers & b.fillers):
        return False
    return _similar(a, b) or bool(a.fillers and a.fillers & b.fillers)


def _similar(a: Candidate, b: Candidate) -> bool:
    if a.document_id == b.document_id and a.orig_start == b.orig_start:
        return True
    if a.vector is None or b.vector is None:
        return False
    return float(a.vector @ b.vector) >= AGREE_COSINE


def _disagree(groups: list[list[Candidate]]) -> bool:
    """Stated sentences from different articles whose typed answers (a number, a date, a name of the kind
    asked for) do not overlap. Short answers that differ are not enough: two sentences may answer two
    sides of one question."""
    stated = [g[0] for g in groups if g[0].fillers]
    for i, a in enumerate(stated):
        for b in stated[i + 1 :]:
            if a.document_id != b.document_id and not agree(a.fillers, b.fillers) and not _same_fact(a, b):
                return True
    return False


def distinct(ranked: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in ranked:
        if not any(_similar(c, o) for o in out):
            out.append(c)
    return out


def _short_title(articles: dict[str, StoredArticle], c: Candidate, by_title: bool = False) -> str:
    """The outlet ("According to CNN"), or the title when ``by_title`` (several sources share an outlet)."""
    article = articles.get(c.document_id)
    if article and article.outlet and not by_title:
        return article.outlet
    title = article.title if article else c.retrieved.chunk.title
    words = title.split()
    return "“" + (" ".join(words[:9]) + ("…" if len(words) > 9 else "")) + "”"


def citation(n: int, c: Candidate, articles: dict[str, StoredArticle]) -> Citation:
    chunk = c.retrieved.chunk
    article = articles.get(chunk.document_id)
    quote = article.original_text(c.orig_start, c.orig_end) if article else c.text
    text_start = chunk.clean_start + chunk.sentences[c.index][0]
    return Citation(
        n=n,
        document_id=chunk.document_id,
        source=chunk.source,
        title=article.title if article else chunk.title,
        quote=quote,
        start=c.orig_start,
        end=c.orig_end,
        text=c.text,
        score=round(c.score, 4),
        short_answer=c.text[c.span[0] : c.span[1]] if c.span else None,
        text_start=text_start,
        text_end=text_start + len(c.text),
        url=article.url if article else None,
        published=article.published if article else None,
        outlet=article.outlet if article else None,
    )
