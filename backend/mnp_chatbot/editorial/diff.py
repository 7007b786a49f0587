"""What a review changes in an answer, character by character (pure): runs of kept, removed and added text."""

import difflib
from dataclasses import dataclass
from typing import Literal, TypeAlias

DiffOp: TypeAlias = Literal["equal", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class DiffPart:
    op: DiffOp
    text: str


def text_diff(before: str, after: str) -> list[DiffPart]:
    """`before` → `after` as runs; a replaced run is its removal followed by its addition."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    parts: list[DiffPart] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", before[i1:i2]))
            continue
        if i2 > i1:
            parts.append(DiffPart("delete", before[i1:i2]))
        if j2 > j1:
            parts.append(DiffPart("insert", after[j1:j2]))
    return parts
