"""British spellings read as American ones, so that a question and an article spelled on different sides
of the Atlantic share their terms: "defence ministry" (Reuters, the BBC) answers "Which defense ministry …?".

The stemmer keeps "defence" and "defense", "labour" and "labor", "organise" and "organize" apart. Only
listed words (and their inflections) are rewritten: the rules are not general ("four", "hour" and "tour" end
in -our; "rise", "wise", "promise" and "exercise" in -ise; "called" and "controlled" double their l in
American English too).
"""

import re

# -our -> -or: these words and any word they begin ("favourite", "neighbourhood", "labourer")
_OUR = "arbour ardour armour behaviour candour clamour colour endeavour favour flavour glamour harbour honour humour \
labour neighbour odour parlour rancour rigour rumour saviour savour splendour tumour valour vapour vigour".split()
# -ise -> -ize (and -isation -> -ization): these stems, then e/es/ed/ing/ation/ations/er/ers
_ISE = "agonis antagonis apologis authoris capitalis categoris centralis characteris civilis colonis criticis \
democratis digitis economis energis finalis fraternis globalis harmonis hospitalis hypothesis immunis incentivis \
industrialis itemis jeopardis legalis legitimis liberalis localis marginalis maximis memoris militaris minimis \
mobilis modernis monopolis nationalis neutralis normalis optimis organis penalis polaris popularis prioritis privatis \
publicis radicalis rationalis realis recognis revolutionis sanitis scrutinis specialis stabilis standardis \
subsidis summaris symbolis sympathis synchronis terroris theoris unionis urbanis utilis visualis weaponis".split()
_ISE_ENDINGS = ("e", "es", "ed", "ing", "ation", "ations", "er", "ers")
# a doubled l before -ed/-ing/-er(s)/-or(s): these verbs
_LL = "cancel channel counsel dial duel equal fuel label level marshal model pedal quarrel rival signal \
shovel total travel tunnel".split()
_LL_ENDINGS = ("ed", "ing", "er", "ers", "or", "ors")
# whole words (with a plural "s" where they have one)
_WORDS = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pretence": "pretense",
    "centre": "center",
    "centred": "centered",
    "metre": "meter",
    "kilometre": "kilometer",
    "centimetre": "centimeter",
    "millimetre": "millimeter",
    "litre": "liter",
    "theatre": "theater",
    "fibre": "fiber",
    "calibre": "caliber",
    "spectre": "specter",
    "programme": "program",
    "programmed": "programed",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "paralysed": "paralyzed",
    "catalyse": "catalyze",
    "grey": "gray",
    "aluminium": "aluminum",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "mould": "mold",
    "plough": "plow",
    "ageing": "aging",
    "judgement": "judgment",
    "acknowledgement": "acknowledgment",
    "jewellery": "jewelry",
    "paediatric": "pediatric",
    "paediatrician": "pediatrician",
    "anaemia": "anemia",
    "anaesthetic": "anesthetic",
    "haemorrhage": "hemorrhage",
    "leukaemia": "leukemia",
    "oesophagus": "esophagus",
    "oestrogen": "estrogen",
    "foetus": "fetus",
    "diarrhoea": "diarrhea",
    "orthopaedic": "orthopedic",
    "encyclopaedia": "encyclopedia",
    "mediaeval": "medieval",
    "kerb": "curb",
    "pyjamas": "pajamas",
    "enrol": "enroll",
    "fulfil": "fulfill",
    "instalment": "installment",
    "enrolment": "enrollment",
    "fulfilment": "fulfillment",
}
_WORDS |= {
    b + "s": a + "s" for b, a in list(_WORDS.items()) if b.endswith(("ce", "re", "me", "ic", "er", "ent", "ia", "ld", "gh"))
}

_OUR_RE = re.compile(r"^(" + "|".join(w[:-3] for w in _OUR) + r")our")
_ISE_RE = re.compile(r"^(" + "|".join(_ISE) + r")(" + "|".join(_ISE_ENDINGS) + r")$")
_LL_RE = re.compile(r"^(" + "|".join(_LL) + r")l(" + "|".join(_LL_ENDINGS) + r")$")


def american(word: str) -> str:
    """A lower-case word in American spelling ("defence" -> "defense", "organised" -> "organized")."""
    if word in _WORDS:
        return _WORDS[word]
    if "our" in word and (m := _OUR_RE.match(word)):
        return m.group(1) + "or" + word[m.end() :]
    if "is" in word and (m := _ISE_RE.match(word)):
        return m.group(1)[:-1] + "z" + m.group(2)
    if "ll" in word and (m := _LL_RE.match(word)):
        return m.group(1) + m.group(2)
    return word
