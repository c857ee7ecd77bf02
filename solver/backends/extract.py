"""Code out of a model's answer.

A chat model answers in prose around fenced code blocks (```python ... ```); a base model's
continuation is the program itself. The rules, most trusted first:
1. the last closed fenced block whose info string names the asked language (models refine as they go);
2. else the last closed fenced block with no info string;
3. a base-style completion with no fence is the program as it stands;
otherwise nothing is extracted, and the reason is kept: blocks only in another language, a block
left open (the answer was cut, e.g. at the token limit), or no code block at all. A sample
without code is counted and shown as such, never judged as a wrong program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a fence's info string may say for each language (lower-cased, first word).
ALIASES = {
    "python": {"python", "python3", "py", "py3"},
    "cpp": {"cpp", "c++", "cc", "cxx", "c++17", "c++20", "c"},
    "java": {"java"},
}
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\n`]*)\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_OPEN_FENCE = re.compile(r"^[ \t]*(```+|~~~+)", re.M)


@dataclass(frozen=True)
class Extraction:
    source: str | None
    how: str  # how the source was found, or why none was


def extract_code(text: str, language: str, style: str) -> Extraction:
    blocks = [(m.group(2).strip().split(" ")[0].lower(), m.group(3)) for m in _FENCE.finditer(text)]
    asked = [body for info, body in blocks if info in ALIASES[language]]
    if asked and asked[-1].strip():
        return Extraction(asked[-1].rstrip() + "\n", f"fenced {language} block")
    bare = [body for info, body in blocks if not info]
    if bare and bare[-1].strip():
        return Extraction(bare[-1].rstrip() + "\n", "fenced block without a language")
    if blocks:
        others = sorted({info for info, _ in blocks if info})
        return Extraction(None, f"code only in another language ({', '.join(others)})" if others
                          else "empty code block")
    if _OPEN_FENCE.search(text):
        return Extraction(None, "code block left open (answer cut short?)")
    if style == "base":
        return Extraction(text.rstrip() + "\n", "raw completion") if text.strip() else Extraction(None, "empty answer")
    return Extraction(None, "no code block" if text.strip() else "empty answer")
