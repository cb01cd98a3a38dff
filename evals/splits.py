"""Which article is in which split: fixed by a hash of its title, never by question.

  squad2   test: hash % 10 in {0, 1}; dev: 9; train: the rest
  clapnq   test: hash % 10 < 5 (the "test half"); dev: 5; train: the rest

"train" fits the reader, "dev" its calibration and threshold, "test" is seen by no fitting.
"""

import hashlib


def _bucket(title: str) -> int:
    return int(hashlib.sha1(title.encode()).hexdigest(), 16) % 10


def squad_split(title: str) -> str:
    b = _bucket(title)
    return "test" if b in (0, 1) else "dev" if b == 9 else "train"


def clapnq_split(title: str) -> str:
    b = _bucket(title)
    return "test" if b < 5 else "dev" if b == 5 else "train"
