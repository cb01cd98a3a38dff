"""Text with the original span behind each of its characters: how clean text finds its way back to the file it
came from (through HTML tags and entities, and JSON string escapes)."""

import bisect
import re
from array import array
from dataclasses import dataclass, field


@dataclass
class Offsets:
    """Per clean character, the [start, end) of original text it stands for, kept as runs: in a
    verbatim run character i stands for [o + i, o + i + 1); in a constant run (an entity, an escape,
    an inserted newline) every character stands for the same [start, end). A plain-text file is a few
    runs, not two integers per character (as lists of Python ints, a 19.9 MB file took 2.7 GB)."""

    def __init__(self) -> None:
        self.at = array("q")  # the clean position where each run begins
        self.start = array("q")  # the original start of its first character
        self.end = array("q")  # the constant end, or -1 in a verbatim run
        self.length = 0

    def add(self, count: int, start: int, end: int | None = None) -> None:
        if count <= 0:
            return
        last = len(self.at) - 1
        verbatim_goes_on = (
            end is None and last >= 0 and self.end[last] == -1 and self.start[last] + self.length - self.at[last] == start
        )
        if not verbatim_goes_on:
            self.at.append(self.length)
            self.start.append(start)
            self.end.append(-1 if end is None else end)
        self.length += count

    def span(self, i: int) -> tuple[int, int]:
        """The original [start, end) behind clean character ``i``."""
        run = bisect.bisect_right(self.at, i) - 1
        if self.end[run] == -1:
            at = self.start[run] + i - self.at[run]
            return at, at + 1
        return self.start[run], self.end[run]

    def extend(self, other: "Offsets", a: int, b: int) -> None:
        """Append ``other``'s characters [a, b)."""
        while a < b:
            run = bisect.bisect_right(other.at, a) - 1
            stop = min(b, other.at[run + 1] if run + 1 < len(other.at) else other.length)
            if other.end[run] == -1:
                self.add(stop - a, other.start[run] + a - other.at[run])
            else:
                self.add(stop - a, other.start[run], other.end[run])
            a = stop


@dataclass
class Mapped:
    """Text (kept as pieces) with the original span behind each character."""

    text: list[str] = field(default_factory=list)  # pieces, joined by ``string()``
    offsets: Offsets = field(default_factory=Offsets)

    def add(self, chars: str, start: int, end: int | None = None) -> None:
        """``chars`` verbatim from ``start`` (``end`` None), or all standing for original [start, end)."""
        if chars:
            self.text.append(chars)
            self.offsets.add(len(chars), start, end)

    def last(self) -> str:
        """The last character so far ("" when empty)."""
        return self.text[-1][-1] if self.text else ""

    def string(self) -> str:
        return "".join(self.text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def no_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (which UTF-8 cannot store) replaced by U+FFFD, one character for one."""
    return _LONE_SURROGATE.sub("\ufffd", text)


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def decode_json_string(line: str, start: int, end: int, base: int = 0) -> Mapped:
    """The JSON string literal whose raw text (inside its quotes) is ``line[start:end]``, decoded, each character
    standing for its escape or itself at ``base`` + its index in ``line``."""
    out = Mapped()
    i = start
    while i < end:
        escape = line.find("\\", i, end)
        if escape != i:  # a run of verbatim characters up to the next escape
            stop = end if escape == -1 else escape
            out.add(line[i:stop], base + i)
            i = stop
            continue
        kind = line[i + 1]
        if kind == "u":
            code = int(line[i + 2 : i + 6], 16)
            width = 6
            if 0xD800 <= code < 0xDC00 and line[i + 6 : i + 8] == "\\u":
                low = int(line[i + 8 : i + 12], 16)
                if 0xDC00 <= low < 0xE000:  # a valid pair; anything else leaves a lone surrogate
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    width = 12
            if 0xD800 <= code < 0xE000:  # a lone surrogate cannot be stored as UTF-8: one character for one
                code = 0xFFFD
            out.add(chr(code), base + i, base + i + width)
            i += width
        else:
            out.add(_ESCAPES[kind], base + i, base + i + 2)
            i += 2
    return out
