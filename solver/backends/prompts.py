"""Prompts for outside models, from editable template files (solver/backends/templates/).

- base (a pre-trained model continues text): AlphaCode's layout, the statement and then the
  value-conditioning header of solver.model.data.header (`LANGUAGE IS python3`, `CORRECT SOLUTION`); the
  model's continuation is the program. templates/base.txt.
- chat (an instruction-tuned model): a system message (templates/chat_system.txt) and a user
  message (templates/chat_user.txt) asking for one fenced code block; the model's own chat
  template (applied by the server, or by the tokenizer for hf:) wraps them.

A problem's rating and tags go into the prompt only with headers="problem": during a real contest
neither is known (the rating is set afterwards), so they make an oracle, never a fair entry.
Templates use string.Template placeholders ($statement, $language, $language_title, $fence,
$header, $metadata, $time_limit, $memory_limit_mb, $rating, $tags); `--prompt FILE` replaces the
base template or the chat user message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from contests.errors import DataError
from contests.model import Problem
from solver.backends.base import Prompt
from solver.model.data.header import LANGUAGE_NAMES, make_header

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLES = ("base", "chat")
HEADERS = ("none", "problem")
LANGUAGE_TITLES = {"python": "Python 3", "cpp": "C++17", "java": "Java 17"}
FENCES = {"python": "python", "cpp": "cpp", "java": "java"}


@dataclass(frozen=True)
class PromptTemplates:
    base: str
    chat_system: str
    chat_user: str
    origin: str = "default"  # "default", or the --prompt file

    @classmethod
    def default(cls) -> PromptTemplates:
        read = lambda name: (TEMPLATES / name).read_text(encoding="utf-8")  # noqa: E731
        return cls(read("base.txt"), read("chat_system.txt"), read("chat_user.txt"))

    def with_prompt_file(self, path: str | Path, style: str) -> PromptTemplates:
        """--prompt FILE: the base template (style base) or the chat user message (style chat)."""
        path = Path(path)
        if not path.is_file():
            raise DataError(path, None, "no such prompt template file")
        text = path.read_text(encoding="utf-8")
        if "$statement" not in text and "${statement}" not in text:
            raise DataError(path, None, "a prompt template must contain $statement")
        if style == "base":
            return PromptTemplates(text, self.chat_system, self.chat_user, str(path))
        return PromptTemplates(self.base, self.chat_system, text, str(path))

    def to_dict(self) -> dict:
        return {"origin": self.origin, "base": self.base, "chat_system": self.chat_system,
                "chat_user": self.chat_user}


def build_prompt(problem: Problem, language: str, style: str, headers: str = "none",
                 templates: PromptTemplates | None = None) -> Prompt:
    """PROBLEM's prompt for a program in LANGUAGE."""
    if style not in STYLES:
        raise DataError("--prompt-style", None, f"expected one of {', '.join(STYLES)}, not {style!r}")
    if headers not in HEADERS:
        raise DataError("--headers", None, f"expected one of {', '.join(HEADERS)}, not {headers!r}")
    templates = templates or PromptTemplates.default()
    oracle = headers == "problem"
    rating = problem.rating if oracle else None
    tags = tuple(problem.tags) if oracle else ()
    metadata = ""
    if rating is not None:
        metadata += f"\nDifficulty rating: {rating}."
    if tags:
        metadata += f"\nTags: {', '.join(sorted(tags))}."
    values = {
        "statement": problem.statement.strip(), "language": LANGUAGE_NAMES[language],
        "language_title": LANGUAGE_TITLES[language], "fence": FENCES[language],
        "header": make_header(rating, tags, language, True).rstrip("\n"),
        "metadata": metadata + ("\n" if metadata else ""), "time_limit": f"{problem.time_limit:g}",
        "memory_limit_mb": f"{problem.memory_limit / 2**20:g}", "rating": "" if rating is None else str(rating),
        "tags": ",".join(sorted(tags)),
    }
    if style == "base":
        return Prompt("base", text=_fill(templates.base, values, templates.origin))
    return Prompt("chat", messages=(("system", _fill(templates.chat_system, values, templates.origin).strip()),
                                    ("user", _fill(templates.chat_user, values, templates.origin).strip())))


def _fill(template: str, values: dict, origin: str) -> str:
    try:
        return Template(template).substitute(values)
    except (KeyError, ValueError) as e:
        raise DataError(origin, None, f"bad prompt template placeholder ({e}); known: "
                                      + ", ".join("$" + k for k in sorted(values))) from None
