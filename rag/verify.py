"""Verification of generated answers: every sentence must be supported by the passages it cites.

Models put citation markers anywhere: "… Armenia [1].", "… Armenia. [1]", "[1][2]", "[1, 2]", or once
at the end of a paragraph. ``parse`` strips the prompt's scaffolding and the draft's attributions
("according to article [1]"), takes the markers out of the text and binds each to the sentence it
closes, so the splitter never sees a marker as a sentence of its own (issue 13: that alone made 28
of 40 refusals). A paragraph whose only markers close its last sentence cites them for each of its
sentences: each sentence is still judged on its own.

A sentence that cites nothing, cites a passage that does not exist, or is not supported by what it
cites (the support judge, rag/judge.py) is removed, or kept and visibly flagged; but a sentence that
another passage of the evidence supports is re-cited to it rather than dropped (models often cite
the wrong number for a right fact, or none: a small model answered a ClapNQ question in four right
sentences without a marker), and the re-citation is recorded. A supported sentence loses the
markers it is supported without. A draft with no text at all
(only markers) is a format failure, recorded as such. If nothing survives, rag/generation.py shows the
extractive answer instead.
"""

import re
from dataclasses import dataclass, field

from index.sentences import split_sentences

from .llm import INJECTION

_CITE = r"\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]"
_GROUP = re.compile(rf"[ \t]*{_CITE}(?:[ \t]*{_CITE})*")
_SOURCE = (
    r"(?:(?:one|some|each|both|all|either|several|two|three)\s+(?:of\s+)?)?(?:the\s+)?(?:provided\s+|given\s+|above\s+)?"
    r"(?:articles?|passages?|sources?|documents?|evidence|texts?|references?|excerpts?)"
)  # "the articles", "one of the articles", "both passages", "the provided sources"
# "…, according to article [1]" / "as stated in passage [2]" / "Passage [1] says that": the words go, the marker stays.
_ATTRIBUTION = re.compile(
    rf"[,;]?[ \t]*\b(?:(?:according|as\s+per|per|based|as\s+(?:stated|reported|mentioned|noted|shown|described|said|seen))"
    rf"\s+(?:to\s+|in\s+|on\s+|by\s+)?|(?:(?:this|that|it)\s+is\s+)?(?:supported|stated|mentioned|reported|confirmed|shown)\s+(?:by|in)\s+|"
    rf"(?:see|in|from)\s+)?{_SOURCE}[ \t]*(\.?)[ \t]*(?=\[\s*\d)",
    re.I,
)
_SOURCE_SAYS = re.compile(r"(\]\s*)(?:says|states|reports|notes|mentions|shows|explains)(?:\s+that)?[ \t]*,?[ \t]*", re.I)
# Prompt scaffolding a model may echo: <evidence> tags, chat-template tokens, "Answer:" prefixes, the question.
_TAGS = re.compile(
    r"</?\s*(?:evidence|passages?|context|answer|question|sources?|documents?|response|text)\b[^>\n]*>"
    r"|<\|im_start\|>\s*\w+|<\|[^|>\n]*\|>|\[/?INST\]|</?s>",
    re.I,
)
_QUESTION_LINE = re.compile(r"^\s*(?:question|q)\s*:.*$", re.I | re.M)
_PREFIX = re.compile(r"^\s*(?:final\s+answer|answer|response|a)\s*:\s*", re.I | re.M)
_SOURCES_LINE = re.compile(r"^\s*(?:sources?|references?|citations?)\s*:\s*", re.I | re.M)


@dataclass
class Checked:
    text: str  # without markers
    cited: list[int]
    verdict: str  # "supported", "uncited", "dangling", "unsupported", "format" (a draft of markers only)
    probability: float = 0.0
    recited_from: list[int] | None = None  # the draft's markers, when the sentence was re-cited to ``cited``


@dataclass
class Parsed:
    sentences: list[tuple[str, list[int]]] = field(default_factory=list)  # (text without markers, bound markers)
    markers: list[int] = field(default_factory=list)  # every marker of the draft, in order


def clean(draft: str) -> str:
    """The draft without prompt scaffolding and with attributions reduced to their markers."""
    text = _TAGS.sub(" ", draft)
    text = _QUESTION_LINE.sub("", text)
    text = _PREFIX.sub("", text)
    text = _SOURCES_LINE.sub("", text)
    text = _ATTRIBUTION.sub(lambda m: m.group(1) + " ", text)  # "… article. [1]" keeps its full stop
    return _SOURCE_SAYS.sub(r"\1", text)


def _tidy(sentence: str) -> str:
    """Prose again after markers and attributions left: no space before punctuation, no leading comma."""
    s = re.sub(r"\(\s*\)|\[\s*\]", "", " ".join(sentence.split()))  # "(passage [2])" left "()"
    s = re.sub(r"[ \t]+([.,;:!?])", r"\1", s)
    s = re.sub(r"([.!?])(?:\s*\.)+", r"\1", s)  # an attribution sentence removed after a full stop
    s = re.sub(r"([,;:])(?=[.!?]$)", "", s)  # "…, [1]." left "…,."
    s = s.lstrip(" ,;:-–")
    if re.search(r"\w[\"'”’)]*$", s):
        s += "."  # a sentence the model left without its full stop (before a marker, or at the end of the draft)
    return s[:1].upper() + s[1:] if s[:1].islower() else s


def parse(draft: str) -> Parsed:
    """Sentences of a draft, each with the markers that close it (see the module's docstring)."""
    text = clean(draft)
    out, marks, pos = "", [], 0
    for m in _GROUP.finditer(text):
        out += text[pos : m.start()]
        numbers = []
        for a, b in re.findall(r"(\d+)(?:\s*[–-]\s*(\d+))?", m.group(0)):
            numbers += list(range(int(a), int(b) + 1)) if b and 0 < int(b) - int(a) < 10 else [int(a)]
        marks.append((len(out.rstrip()), numbers))
        pos = m.end()
        if text[pos : pos + 1].isalnum():
            out += " "
    out += text[pos:]
    parsed = Parsed(markers=[n for _, ns in marks for n in ns])
    spans = [(a, b) for a, b in split_sentences(out) if re.search(r"\w", out[a:b])]
    cited: list[list[int]] = [[] for _ in spans]
    for offset, numbers in marks:
        i = max([j for j, (a, _) in enumerate(spans) if a < offset], default=0)
        if spans:
            cited[i] += numbers
    # a paragraph cited only at its end: its markers stand for each of its sentences
    breaks = [m.end() for m in re.finditer(r"\n\s*\n", out)] + [len(out) + 1]
    paragraph = [next(k for k, e in enumerate(breaks) if a < e) for a, _ in spans]
    for k in set(paragraph):
        members = [i for i, p in enumerate(paragraph) if p == k]
        if len(members) > 1 and cited[members[-1]] and not any(cited[i] for i in members[:-1]):
            for i in members[:-1]:
                cited[i] = list(cited[members[-1]])
    for (a, b), numbers in zip(spans, cited):
        sentence = _tidy(out[a:b])
        if re.search(r"\w", sentence):
            parsed.sentences.append((sentence, list(dict.fromkeys(numbers))))
    return parsed


def _support(judge, text: str, numbers, passages: dict[int, str]) -> float:
    evidence = " ".join(passages[n] for n in dict.fromkeys(numbers) if not INJECTION.search(passages[n]))
    return judge.support(text, evidence) if evidence else 0.0


def check(answer: str, passages: dict[int, str], judge, recite: bool = True) -> list[Checked]:
    """Each sentence of a draft with its verdict; unsupported and dangling ones re-cited when another passage supports them."""
    parsed = parse(answer)
    if not parsed.sentences:
        return [Checked(answer.strip(), parsed.markers, "format")] if answer.strip() else []
    out = []
    for text, cited in parsed.sentences:
        if not cited:  # a model that leaves out markers still wrote from the passages: cite the one that supports it
            checked = Checked(text, cited, "uncited")
            out.append(_recite(checked, passages, judge) if recite else checked)
            continue
        if any(n not in passages for n in cited):
            checked = Checked(text, cited, "dangling")
        else:
            probability = _support(judge, text, cited, passages)
            checked = Checked(text, cited, "supported" if probability >= judge.threshold else "unsupported", probability)
        if checked.verdict != "supported" and recite:
            checked = _recite(checked, passages, judge)
        elif len(cited) > 1:
            checked.cited = _needed(checked, passages, judge)
        out.append(checked)
    return out


def _needed(checked: Checked, passages: dict[int, str], judge) -> list[int]:
    """A supported sentence's citations without those it is supported without: a marker shows what supports it."""
    cited = list(dict.fromkeys(checked.cited))
    for n in list(cited):
        rest = [m for m in cited if m != n]
        if rest and _support(judge, checked.text, rest, passages) >= judge.threshold:
            cited = rest
    return cited


def _recite(checked: Checked, passages: dict[int, str], judge) -> Checked:
    """The sentence cited to the other passage that supports it best, if one does."""
    scores = {n: _support(judge, checked.text, [n], passages) for n in passages if n not in checked.cited}
    best = max(scores, key=scores.get, default=None)
    if best is None or scores[best] < judge.threshold:
        return checked
    return Checked(checked.text, [best], "supported", scores[best], recited_from=checked.cited)


def _shown(c: Checked, flag: bool) -> bool:
    return c.verdict == "supported" or (flag and c.verdict in ("unsupported", "dangling", "uncited"))


def cited_order(checked: list[Checked], passages: int, flag: bool = False) -> list[int]:
    """The draft's passage numbers in the order the shown sentences first cite them: the answer's [1], [2], …"""
    return list(dict.fromkeys(n for c in checked if _shown(c, flag) for n in c.cited if 1 <= n <= passages))


def final_text(checked: list[Checked], renumber: dict[int, int], flag: bool = False) -> str:
    """The answer as prose: each kept sentence, then its (renumbered) markers, "Sentence. [1]" as the extractive answer writes."""
    parts = []
    for c in checked:
        if not _shown(c, flag):
            continue
        markers = "".join(f"[{renumber[n]}]" for n in dict.fromkeys(c.cited) if n in renumber)
        note = "" if c.verdict == "supported" else " (unverified)"
        parts.append(f"{c.text}{note} {markers}".strip())
    return " ".join(parts)


def removed_records(checked: list[Checked]) -> list[dict]:
    """What verification removed (or flagged) and why, as ``Removed`` fields; a format failure keeps the raw draft."""
    return [{"text": c.text, "reason": c.verdict} for c in checked if c.verdict != "supported"]


def recited_records(checked: list[Checked]) -> list[dict]:
    """Sentences kept under another passage than the draft cited: the draft's markers and the ones used."""
    return [{"text": c.text, "draft_cited": c.recited_from, "cited": c.cited} for c in checked if c.recited_from is not None]


def off_topic(checked: list[Checked], relevant: set[int]) -> None:
    """A supported sentence that cites only passages which do not answer the question (the reader's
    score) is true but beside the point ("Putin discussed the situation twice" for "What did Putin
    say about the blockade?"): it is marked off-topic, and so removed (issue 13, item 4)."""
    for c in checked:
        if c.verdict == "supported" and not set(c.cited) & relevant:
            c.verdict = "off-topic"
