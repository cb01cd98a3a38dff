"""The judge's labelled calibration set, made from the seed articles, and fitting the judge on it.

    python -m evals.support_pairs --out build/judge        # make the pairs: build/judge/support_pairs.v2.jsonl
    python -m evals.fit_judge --out build/judge            # fit the judge on their fit part: build/judge/judge.json

Both write only into ``--out`` (never into the installed package): to ship a new judge, copy
judge.json to rag/ and the pairs to evals/data/.
    python -m evals.judge_eval               # the judge on the test part, per class of pair

Supported pairs: a sentence with its own passage (the sentence and the next one), verbatim or
trimmed (a leading clause removed), with an alias ("Moscow" for Russia, "Karabakh" for
Nagorno-Karabakh, a surname for a full name) or a pronoun for its subject, plus hand-written
paraphrases ("6,500 people died" for "claimed more than 6,500 lives"). Unsupported pairs, the
adversarial cases of issue 13: the same sentence with one fact changed (a number, a name, a date, a
place, a negation); invented claims on the passage's topic (made with the passage's own names, or
another sentence of the same article that the passage does not restate); generic filler ("The
situation remains tense and negotiations continue."); a passage of another article. The split into
fit ("train") and test is by source sentence, so a sentence and its variants never straddle it;
invented templates and filler sentences are split by their own text, so the test part holds
templates and fillers that fitting never saw.
"""

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

from index.documents import load_corpus
from index.sentences import split_sentences
from rag.lexicon import MONTHS, WEEKDAYS
from rag.settings import DEFAULT_CORPUS

from .dataset import DATA

PAIRS = DATA / "support_pairs.v2.jsonl"
SEEDS = DEFAULT_CORPUS

_NAME_SWAPS = {
    "Armenia": "Azerbaijan",
    "Azerbaijan": "Armenia",
    "Armenian": "Azerbaijani",
    "Azerbaijani": "Armenian",
    "Russia": "Turkey",
    "Russian": "Turkish",
    "Turkish": "Russian",
    "Putin": "Erdogan",
    "Aliyev": "Pashinyan",
    "Pashinyan": "Aliyev",
    "Pashinian": "Aliyev",
    "Lavrov": "Blinken",
    "Zakharova": "Peskov",
    "Blinken": "Lavrov",
    "Kremlin": "White House",
    "Bono": "Klaar",
    "Klaar": "Bono",
    "Galbur": "Bayramov",
    "OSCE": "NATO",
    "CSTO": "NATO",
    "AFP": "Reuters",
    "TASS": "Reuters",
    "Mnatsakanyan": "Bayramov",
}
_PLACE_SWAPS = {
    "Baku": "Tbilisi",
    "Yerevan": "Tbilisi",
    "Moscow": "Ankara",
    "Nagorno-Karabakh": "Abkhazia",
    "Karabakh": "Abkhazia",
    "Stepanakert": "Gyumri",
    "Parukh": "Shusha",
    "Farukh": "Shusha",
    "Munich": "Vienna",
    "Ukraine": "Georgia",
    "Lachin": "Kelbajar",
    "South Caucasus": "Balkans",
}
_MONTHS = list(MONTHS)
_DAYS = list(WEEKDAYS)
_WORD_NUMBERS = {
    "two": "four",
    "three": "seven",
    "five": "nine",
    "six": "eight",
    "seven": "three",
    "one": "three",
    "four": "six",
    "dozens": "hundreds",
}

# Hand-written paraphrases: (paraphrase, verbatim substring of a seed sentence it restates)
PARAPHRASES = [
    (
        "Moscow voiced serious concern about rising tensions in Nagorno-Karabakh.",
        "Russia on Monday expressed “serious concern” over escalating tensions",
    ),
    (
        "A group of Azerbaijanis describing themselves as environmentalists blocked the Lachin Corridor.",
        "In December, Azerbaijanis who called themselves “environmental activists” blocked the Lachin Corridor",
    ),
    (
        "Armenia says food and medicine are running short in Nagorno-Karabakh because of the blockade.",
        "Armenia says the blockade has led to shortages of food and medicine in Nagorno-Karabakh",
    ),
    (
        "Russia deployed 2,000 soldiers to Nagorno-Karabakh in November 2020 as peacekeepers.",
        "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh",
    ),
    (
        "Zakharova urged both sides to show restraint and de-escalate.",
        "we call on both sides to exercise restraint and take measures to de-escalate the situation",
    ),
    (
        "Russia said Turkish-made drones had been used against Karabakh troops.",
        "The statement added that Turkish-made drones were used to strike Karabakh troops",
    ),
    (
        "The 2020 war cost more than 6,500 lives.",
        "In 2020, Armenia and Azerbaijan fought a war over the long-contested enclave which claimed more than 6,500 lives.",
    ),
    (
        "Baku's defence ministry rejected Russia's statement as one-sided and untrue.",
        "The defense ministry in Baku said it “regretted the one-sided statement of Russia’s defense ministry, which does not reflect the truth,”",
    ),
    (
        "Armenia accused Azerbaijan of cutting off Karabakh's gas on purpose.",
        "Armania has accused Azerbaijan of deliberately leaving Karabakh’s ethnic-Armenian population without natural gas",
    ),
    (
        "Russian peacekeepers stopped the clash, according to Moscow.",
        '"Through the efforts of Russian peacekeepers, the clash was stopped,"',
    ),
    (
        "Three Armenian police officers and two Azerbaijani soldiers died in the shootout.",
        "The ministry confirmed that three Armenian police officers were killed and added that two Azerbaijani troops also died in the shootout.",
    ),
    ("The 2020 fighting lasted 44 days.", "During the 44-day conflict"),
    (
        "Aliyev met Louis Bono, the U.S. adviser for Caucasus negotiations, on Monday.",
        "Aliyev on Monday met with U.S. Senior Adviser for Caucasus Negotiations Louis Bono",
    ),
    (
        "Open Caucasus Media said it was the first time Russia had explicitly blamed one side.",
        "The Open Caucasus Media news outlet noted that the statement marked the “first time Russian authorities have explicitly blamed one side for violating the ceasefire”",
    ),
    (
        "Russia offered to help the two sides demarcate their borders.",
        "Russia has offered to help resolve the Armenian-Azerbaijani disputes by working with the two sides to demarcate the borders.",
    ),
    ("The conflict goes back to 1988.", "The conflict over the area dates back to 1988"),
    (
        "Eighteen Armenian and twelve Azerbaijani soldiers have reportedly died since fighting resumed.",
        "According to reports, 18 Armenian and 12 Azerbaijani soldiers have been killed since the conflict resumed.",
    ),
    (
        "Lavrov criticised attempts to undermine the OSCE Minsk Group.",
        "The Russian diplomat also spoke out against attempts to undermine the role of the OSCE Minsk Group",
    ),
    # issue 13's misses, and more of the same kind: synonyms, reordering, compression
    (
        "In the 2020 war, 6,500 people died.",
        "In 2020, Armenia and Azerbaijan fought a war over the long-contested enclave which claimed more than 6,500 lives.",
    ),
    (
        "More than 6,500 people were killed when Armenia and Azerbaijan went to war in 2020.",
        "In 2020, Armenia and Azerbaijan fought a war over the long-contested enclave which claimed more than 6,500 lives.",
    ),
    (
        "Around 30,000 people died in the conflict that followed the 1991 breakaway.",
        "Ethnic Armenian separatists in Nagorno-Karabakh broke away from Azerbaijan as the Soviet Union collapsed in 1991",
    ),
    ("It declared independence in 1991.", "It declared independence in 1991, triggering a full-scale war"),
    (
        "It is mainly populated by ethnic Armenians.",
        "This region is internationally recognized as part of Azerbaijan, but is mainly populated by ethnic Armenians.",
    ),
    (
        "The region is internationally recognised as Azerbaijani territory.",
        "This region is internationally recognized as part of Azerbaijan",
    ),
    ("Baku denies the allegations.", "The government in Baku denies the allegations"),
    (
        "Azerbaijan says the protesters oppose illegal mining in Armenia.",
        "The government in Baku denies the allegations, saying the protesters are opposing illegal mining operations in Armenia.",
    ),
    (
        "Azerbaijani forces fired on a car carrying pro-Armenian police officers, killing three people.",
        "Azerbaijani forces opened fire on a car carrying pro-Armenian law enforcement officers in the region on Sunday, killing three people",
    ),
    (
        "The Russian peacekeepers intervened to stop Sunday's confrontation.",
        "the Russian Defense Ministry said its peacekeeping troops had intervened to stop Sunday’s confrontation",
    ),
    (
        "Zakharova said the ceasefire had been violated repeatedly in recent days.",
        "She also stated that in recent days, the cease-fire agreements agreed upon by the two sides have been repeatedly violated.",
    ),
    (
        "The Kremlin said Putin had spoken with Pashinyan twice about the situation.",
        "The Kremlin said on Saturday that President Vladimir Putin had discussed the situation with Armenian leader Nikol Pashinyan twice",
    ),
    ("Moscow asked Azerbaijan to withdraw its troops.", "Russia urged Azerbaijan to pull back troops."),
    (
        "Armenia warned of a possible humanitarian catastrophe in Karabakh after the gas was cut off.",
        "Armenia has also warned of a possible “humanitarian catastrophe” in Karabakh after gas supplies to the disputed region were cut off following repair work.",
    ),
    (
        "Azerbaijani drones killed three people and wounded 15, the region's defence ministry said.",
        "On Saturday, the breakaway region’s defense ministry said in a statement that Azerbaijani drones had killed three people and wounded another 15.",
    ),
    (
        "The fighting ended on Nov. 10, 2020, with an agreement brokered by Russia.",
        "The fighting ended with a Russian-brokered agreement on Nov. 10, 2020",
    ),
    (
        "Moscow has around 2,000 peacekeepers in and around Nagorno-Karabakh.",
        "Moscow has deployed around 2,000 peacekeepers in and around the breakaway region of Nagorno-Karabakh",
    ),
    (
        "The six-week war left 6,500 dead on both sides.",
        "The six-week war last fall that ended in a rout for the Armenian military and sparked mass protests in the country left 6,500 people dead on both sides.",
    ),
    (
        "The war last fall ended in a rout for Armenia's military and sparked mass protests.",
        "The six-week war last fall that ended in a rout for the Armenian military and sparked mass protests in the country",
    ),
    (
        "Russia's peacekeepers saw one truce violation in the previous 24 hours, the Defense Ministry said Thursday.",
        "Russia’s Defense Ministry said Thursday that its peacekeepers had observed one truce violation in the previous 24 hours.",
    ),
    (
        "Russia's President and its Defence and Foreign Ministries called on both countries to stop the hostilities immediately.",
        "Russia's President along with the Defence and Foreign Ministries called on Armenia and Azerbaijan to immediately cease hostilities",
    ),
    (
        "Fighting resumed on Friday night, and each side blamed the other.",
        "The hostilities in the region restarted on Friday night, with Armenia and Azerbaijan both blaming each other for the ceasefire violations.",
    ),
    ("Baku has since called for a ceasefire.", "A ceasefire has since been called for by Baku."),
    (
        "Since 1994 it has been controlled by Armenian military and separatist forces.",
        "but has been under the control of Armenian military and separatist forces since 1994.",
    ),
    (
        "Azerbaijan's Foreign Ministry said the shootout began when its soldiers checked vehicles suspected of carrying weapons.",
        "On Sunday, Azerbaijan’s Foreign Ministry said a shootout occurred when Azerbaijani soldiers went to check vehicles suspected of transporting weapons",
    ),
    (
        "Aliyev also met the EU's envoy Toivo Klaar.",
        "Later, Aliyev also met with EU Special Representative for the South Caucasus Toivo Klaar",
    ),
]

# Aliases that keep a sentence supported: (pattern, replacement). Metonyms only where the name is the subject.
_ALIASES = [
    (r"\bNagorno-Karabakh\b", "Karabakh"),
    (r"^Russia\b", "Moscow"),
    (r"^Azerbaijan\b", "Baku"),
    (r"^Armenia\b", "Yerevan"),
    (r"\bPresident Vladimir Putin\b", "Putin"),
    (r"\bVladimir Putin\b", "Putin"),
    (r"\b(President )?Ilham Aliyev\b", "Aliyev"),
    (r"\b(Armenian leader |Armenian Prime Minister )?Nikol Pashinian\b", "Pashinian"),
    (r"\b(Armenian leader |Armenian Prime Minister )?Nikol Pashinyan\b", "Pashinyan"),
    (r"\bMaria Zakharova\b", "Zakharova"),
    (r"\bSergei Lavrov\b", "Lavrov"),
    (r"\bThe Kremlin\b", "Moscow"),
    (r"\bRussian troops\b", "Moscow's troops"),
    (r"\bcease-fire\b", "ceasefire"),
    (r"\bthe enclave\b", "Nagorno-Karabakh"),
]
# A sentence's subject replaced by the pronoun a reader resolves from the passage.
_PRONOUNS = [
    (r"^(?:The )?(?:Russian |Azerbaijani |Armenian )?(?:Defen[cs]e|Foreign) Ministry\b", "It"),
    (r"^Russia\b", "It"),
    (r"^Armenia\b", "It"),
    (r"^Azerbaijan\b", "It"),
    (r"^Moscow\b", "It"),
    (r"^The Kremlin\b", "It"),
    (r"^Nagorno-Karabakh\b", "It"),
    (r"^This region\b", "It"),
    (r"^Lavrov\b", "He"),
    (r"^Aliyev\b", "He"),
    (r"^Maria Zakharova\b", "She"),
    (r"^Armenia[’']s\b", "Its"),
    (r"^Russia[’']s\b", "Its"),
    (r"^Azerbaijan[’']s\b", "Its"),
    (r"^The (?:Russian )?ministry\b", "It"),
    (r"^Azerbaijani forces\b", "They"),
    (r"^Two Azerbaijani servicemen\b", "Two of their servicemen"),
]
# Invented claims on a passage's topic, written with the passage's own names ({a}, {b}): nothing in the seeds says them.
INVENTED = [
    "{a} was paid to block the road.",
    "{a} secretly agreed to hand the region over to {b}.",
    "{a} announced new sanctions against {b}.",
    "{a} apologised to {b} for the attack.",
    "{a} plans to hold a referendum on the region next year.",
    "{a} threatened to walk out of the peace talks.",
    "{a} recalled its ambassador from {b}.",
    "{a} admitted responsibility for the clash.",
    "{a} promised to rebuild the villages destroyed in the fighting.",
    "{a} accused {b} of paying the protesters.",
    "{a} offered {b} compensation for the dead.",
    "{a} closed its airspace to flights from {b}.",
    "{a} praised the peacekeepers for ending the blockade.",
    "{a} signed a trade deal with {b} on the same day.",
    "{a} said that {b} had used chemical weapons.",
    "{a} denied that any soldiers had died.",
    "{a} expelled journalists who reported on the clash.",
    "{a} asked the United Nations to send observers.",
    "The protesters were paid to block the road.",
    "{a} won the war in less than a week.",
    "{a} blamed {b} for cutting off the electricity.",
    "{a} sent doctors and medicine to the region.",
    "{a} arrested the soldiers who opened fire.",
    "{a} held a minute of silence for the victims.",
]
# Generic filler: true-sounding, on topic, and supported by no passage.
GENERIC = [
    "The situation remains tense and negotiations continue.",
    "Both sides have expressed their positions on the matter.",
    "The international community is following the events closely.",
    "The conflict has a long and complex history.",
    "Further developments are expected in the coming days.",
    "Experts say the situation could change at any moment.",
    "This is supported by the passage.",
    "The answer can be found in the evidence.",
    "Many questions about the future of the region remain unanswered.",
    "The events have drawn attention from around the world.",
    "Officials are working to find a lasting solution.",
    "The issue continues to be a source of debate.",
    "Diplomatic efforts are ongoing to resolve the dispute.",
    "The outcome of the talks remains uncertain.",
    "Observers warn that the crisis may deepen.",
    "Details of the agreement have not been made public.",
    "The article describes the events in detail.",
    "Both governments want peace and stability in the region.",
    "Local residents are worried about what will happen next.",
    "The humanitarian situation is a matter of concern for everyone.",
]
_ENTITIES = [
    "Russia",
    "Armenia",
    "Azerbaijan",
    "Moscow",
    "Baku",
    "Yerevan",
    "the Kremlin",
    "Putin",
    "Aliyev",
    "Pashinyan",
    "Lavrov",
    "Zakharova",
    "Turkey",
    "the OSCE",
    "the United States",
    "Blinken",
    "Bono",
    "Klaar",
]


def _split(key: str) -> str:
    return "test" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10 < 3 else "train"


def _swap_first(sentence: str, table: dict[str, str]) -> str | None:
    for word, other in sorted(table.items(), key=lambda kv: -len(kv[0])):
        m = re.search(rf"\b{re.escape(word)}\b", sentence)
        if m:
            return sentence[: m.start()] + other + sentence[m.end() :]
    return None


def _swap_number(sentence: str) -> str | None:
    m = re.search(r"\b\d[\d,]*\b", sentence)
    if m and not re.fullmatch(r"(19|20)\d\d", m.group(0)):
        value = int(m.group(0).replace(",", ""))
        return sentence[: m.start()] + f"{value * 2 + 3:,}" + sentence[m.end() :]
    for word, other in _WORD_NUMBERS.items():
        m = re.search(rf"\b{word}\b", sentence)
        if m:
            return sentence[: m.start()] + other + sentence[m.end() :]
    return None


def _swap_date(sentence: str) -> str | None:
    for names in (_MONTHS, _DAYS):
        for i, name in enumerate(names):
            m = re.search(rf"\b{name}\b", sentence)
            if m:
                return sentence[: m.start()] + names[(i + 3) % len(names)] + sentence[m.end() :]
    m = re.search(r"\b(19|20)\d\d\b", sentence)
    if m:
        return sentence[: m.start()] + str(int(m.group(0)) + 3) + sentence[m.end() :]
    return None


def _negate(sentence: str) -> str | None:
    if re.search(r"\bnot\b", sentence):
        return re.sub(r"\bnot\s+", "", sentence, count=1)
    m = re.search(r"\b(is|was|were|are|has|have|had|will|would|can|could)\b", sentence)
    if m:
        return sentence[: m.end()] + " not" + sentence[m.end() :]
    m = re.search(r"\b(said|called|accused|urged|expressed|confirmed|met|blocked|sent|deployed|denies|denied)\b", sentence)
    if m:
        base = {"denies": "deny"}.get(m.group(1), m.group(1))
        return (
            sentence[: m.start()]
            + "did not "
            + (base[:-1] if base.endswith("ed") and base not in ("accused", "urged") else base)
            + sentence[m.end() :]
        )
    return None


def _rewrite(sentence: str, table: list[tuple[str, str]], first: bool = False) -> str | None:
    """The sentence with every (or only the first matching) alias of the table applied, or None if none applies."""
    out = sentence
    for pattern, replacement in table:
        out = re.sub(pattern, replacement, out)
        if first and out != sentence:
            break
    return out if out != sentence else None


def _shared(sentence: str, passage: str) -> float:
    """Share of a sentence's content terms found in a passage: a "topical" negative must not restate the passage."""
    from index.analysis import terms

    s_terms = set(terms(sentence))
    return len(s_terms & set(terms(passage))) / len(s_terms) if s_terms else 0.0


def make_pairs() -> list[dict]:
    articles, _ = load_corpus(SEEDS)
    rng = random.Random(0)
    pairs: list[dict] = []
    sentences = []
    for article in articles:
        spans = split_sentences(article.text)
        for i, (a, b) in enumerate(spans):
            sentence = article.text[a:b]
            if len(sentence.split()) < 6:
                continue
            passage = article.text[a : spans[i + 1][1]] if i + 1 < len(spans) else article.text[spans[max(0, i - 1)][0] : b]
            sentences.append((article.source, sentence, passage))
    for source, sentence, passage in sentences:
        split = _split(sentence)

        def add(
            s: str | None,
            label: bool,
            kind: str,
            p: str = passage,
            sentence: str = sentence,
            source: str = source,
            split: str = split,
        ) -> None:
            if s and (s != sentence or kind == "verbatim"):
                pairs.append({"sentence": s, "passage": p, "supported": label, "kind": kind, "source": source, "split": split})

        add(sentence, True, "verbatim")
        if ", " in sentence:
            head, tail = sentence.split(", ", 1)
            if len(tail.split()) >= 6 and len(head.split()) <= 8:
                add(tail.strip()[0].upper() + tail.strip()[1:], True, "trimmed")
        add(_swap_number(sentence), False, "number")
        add(_swap_first(sentence, _NAME_SWAPS), False, "name")
        add(_swap_date(sentence), False, "date")
        add(_swap_first(sentence, _PLACE_SWAPS), False, "place")
        add(_negate(sentence), False, "negation")
        others = [p for s, _, p in sentences if s != source]
        pairs.append(
            {
                "sentence": sentence,
                "passage": rng.choice(others),
                "supported": False,
                "kind": "unrelated",
                "source": source,
                "split": split,
            }
        )
        add(_rewrite(sentence, _ALIASES), True, "alias")
        add(_rewrite(sentence, _PRONOUNS, first=True), True, "pronoun")
        present = [e for e in _ENTITIES if re.search(rf"\b{re.escape(e.split()[-1])}\b", passage)] or ["Russia"]
        for template in rng.sample(INVENTED, 2):
            a = rng.choice(present)
            b = rng.choice(
                [e for e in _ENTITIES if e != a and e.split()[-1] not in a]
                if len(present) < 2
                else [e for e in present if e != a]
            )
            claim = template.format(a=a, b=b)
            pairs.append(
                {
                    "sentence": claim[0].upper() + claim[1:],
                    "passage": passage,
                    "supported": False,
                    "kind": "invented",
                    "source": source,
                    "split": _split(template),
                }
            )
        far = [
            s for src, s, _ in sentences if src == source and s not in passage and passage not in s and _shared(s, passage) < 0.5
        ]
        if far:
            pairs.append(
                {
                    "sentence": rng.choice(far),
                    "passage": passage,
                    "supported": False,
                    "kind": "topical",
                    "source": source,
                    "split": split,
                }
            )
        filler = rng.choice(GENERIC)
        pairs.append(
            {
                "sentence": filler,
                "passage": passage,
                "supported": False,
                "kind": "generic",
                "source": source,
                "split": _split(filler),
            }
        )
    for paraphrase, original in PARAPHRASES:
        match = next(((s, p) for src, s, p in sentences if original in p), None)  # p: the sentence and a neighbour
        if match is None:
            raise ValueError(f"paraphrase source not found: {original}")
        pairs.append(
            {
                "sentence": paraphrase,
                "passage": match[1],
                "supported": True,
                "kind": "paraphrase",
                "source": "",
                "split": _split(match[0]),
            }
        )
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="directory to write the pairs into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pairs = make_pairs()
    written = args.out / PAIRS.name
    written.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs))
    from collections import Counter

    print(f"wrote {written}: {len(pairs)} pairs", dict(Counter(p["kind"] for p in pairs)))


if __name__ == "__main__":
    main()
