"""Lessons: guided tours through the playground's pages, as data a teacher can write and share.

A lesson is a key, a title and ordered steps. A step is a view of one page (its path and its URL
query: the view's full state), Markdown text with LaTeX, and optionally a question whose answer
the engine computes from that same state (page_models.course.answers).

The built-in course is the folder `lessons/` at the repo root, one Markdown file per lesson, in
the order COURSE names them. The file format (`format_markdown` / `parse_markdown`, which
round-trip exactly):

    ---
    key: chain-rule
    title: The chain rule
    ---

    ## A step's title
    view: pages/1_Expression_Graph.py
      src: y = x * w
      vals: [["w","2.0",true],["x","3.0",false]]

    The step's text: Markdown with $\\LaTeX$.

    ### Question
    answer: grad wrt=w
    tolerance: 0.001

    What is $\\partial y / \\partial w$ here?

    ### Explanation

    Why the answer is what it is.

Header blocks (front matter, `view:` with its indented query lines, the question's fields) are
`name: value` lines; a query value that is empty, has outer spaces or a line break, or starts with
a double quote is written as a JSON string. A line of free text that starts with `##` (after any
backslashes) gets one more leading backslash in the file, so text can never open a section.
Multiple-choice questions list one `choice:` line per option; `digits: n` (default 2) is the
fewest significant digits a typed answer may be rounded to. Nothing is ever evaluated.

A share link carries the whole lesson in one URL param: its Markdown, zlib-compressed, in
URL-safe base64 (`pack` / `unpack`), at most MAX_LINK_CHARS characters.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from engine.errors import PlaygroundError

__all__ = [
    "COURSE",
    "COURSE_DIR",
    "MAX_LINK_CHARS",
    "MAX_MARKDOWN_CHARS",
    "Lesson",
    "LessonError",
    "Question",
    "Step",
    "builtin_lessons",
    "format_markdown",
    "pack",
    "parse_markdown",
    "unpack",
]

COURSE_DIR = Path(__file__).resolve().parents[2] / "lessons"
COURSE = ("derivatives", "matrices", "linear-algebra", "distributions-sampling",
          "softmax-sampling", "cross-entropy", "normalisation", "computation-graph", "chain-rule",
          "jacobians", "gradient-check", "vectorisation-cost", "mlp-by-hand", "initialisation",
          "sgd", "learning-rate", "momentum", "adam", "dropout", "normalisation-layers",
          "vanishing-gradients", "attention")  # the built-in course, in teaching order
MAX_LINK_CHARS = 12_000  # a longer share link is refused: some browsers and proxies cut URLs
MAX_MARKDOWN_CHARS = 60_000  # a lesson file (and an unpacked link) at most this long
MAX_STEPS = 30
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
PAGE_PATTERN = re.compile(r"pages/[0-9]+_[A-Za-z0-9_]{1,60}\.py")  # a file in the pages folder
DEFAULT_TOLERANCE = 1e-3
DEFAULT_DIGITS = 2  # a typed answer counts if it is the answer rounded to ≥ 2 significant digits


class LessonError(PlaygroundError):
    """A lesson file or link that cannot be read, with what is wrong and where."""


def _one_line(what: str, text: str) -> str:
    text = str(text).strip()
    if not text or "\n" in text or "\r" in text:
        raise LessonError(f"{what} must be one non-empty line, got {text[:40]!r}.")
    return text


def _block(text: str) -> str:
    """Free Markdown text, normalised: Unix line ends, no blank lines or spaces around it."""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Question:
    """A question about a step's view. `answer` names an engine computation and its arguments
    ("grad wrt=w1", see page_models.course.answers); with `choices` it is multiple choice and
    the right choice is the one the computed answer matches. Else a typed number is right if it
    is within `tolerance` of the answer, or is the answer correctly rounded to the digits typed,
    at least `digits` significant ones ("0.53" for 0.5286)."""

    prompt: str
    answer: str
    choices: tuple[str, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    explanation: str = ""
    digits: int = DEFAULT_DIGITS

    def __post_init__(self):
        object.__setattr__(self, "prompt", _block(self.prompt))
        object.__setattr__(self, "answer", _one_line("A question's answer", self.answer))
        object.__setattr__(self, "choices", tuple(_one_line("A choice", c) for c in self.choices))
        object.__setattr__(self, "explanation", _block(self.explanation))
        if not self.prompt:
            raise LessonError("A question needs a prompt (the text that asks it).")
        if len(self.choices) == 1:
            raise LessonError("A multiple-choice question needs at least two choices.")
        tol = self.tolerance
        if isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 <= tol < 1e300:
            raise LessonError(f"A tolerance must be a number ≥ 0, got {tol!r}.")
        object.__setattr__(self, "tolerance", float(tol))
        digits = self.digits
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 15:
            raise LessonError(f"digits must be a whole number from 1 to 15, got {digits!r}.")


@dataclass(frozen=True)
class Step:
    """One screen of a lesson: a page's view (path and query), text and an optional question."""

    title: str
    page: str  # "pages/1_Expression_Graph.py"
    query: dict[str, str] = field(default_factory=dict)
    text: str = ""
    question: Question | None = None

    def __post_init__(self):
        object.__setattr__(self, "title", _one_line("A step's title", self.title))
        object.__setattr__(self, "page", _one_line("A step's page", self.page))
        if not PAGE_PATTERN.fullmatch(self.page):
            raise LessonError(f"A step's view is a page of this app, such as "
                              f"pages/1_Expression_Graph.py, not {self.page[:60]!r}.")
        object.__setattr__(self, "text", _block(self.text))
        query = dict(self.query)
        for name, value in query.items():
            if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
                raise LessonError(f"{name!r} is not a URL param name (letters, digits, _).")
            if not isinstance(value, str):
                raise LessonError(f"The value of {name} must be text, got {value!r}.")
        object.__setattr__(self, "query", query)


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    steps: tuple[Step, ...]

    def __post_init__(self):
        if not isinstance(self.key, str) or not KEY_PATTERN.fullmatch(self.key):
            raise LessonError(f"A lesson key is 1–40 lowercase letters, digits and dashes "
                              f"starting with a letter or digit, got {str(self.key)[:40]!r}.")
        object.__setattr__(self, "title", _one_line("A lesson's title", self.title))
        object.__setattr__(self, "steps", tuple(self.steps))
        if not 1 <= len(self.steps) <= MAX_STEPS:
            raise LessonError(f"A lesson has 1 to {MAX_STEPS} steps, this one {len(self.steps)}.")

    def with_steps(self, steps) -> Lesson:
        return replace(self, steps=tuple(steps))


# ---- Markdown ---------------------------------------------------------------------------------

_SECTION = re.compile(r"\\*##")


def _escape(text: str) -> str:
    return "\n".join("\\" + line if _SECTION.match(line) else line for line in text.split("\n"))


def _unescape(lines: list[str]) -> str:
    return _block("\n".join(line[1:] if _SECTION.match(line) and line.startswith("\\") else line
                            for line in lines))


def _value_text(value: str) -> str:
    plain = value and value == value.strip() and "\n" not in value and "\r" not in value
    return value if plain and not value.startswith('"') else json.dumps(value, ensure_ascii=False)


def _value_of(text: str, where: str) -> str:
    if not text.startswith('"'):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        raise LessonError(f"{where}: {text[:40]} is not a valid quoted string.") from None
    if not isinstance(value, str):
        raise LessonError(f"{where}: expected a quoted string.")
    return value


def format_markdown(lesson: Lesson) -> str:
    """The lesson as a Markdown file (see the module docstring); parse_markdown reads it back."""
    out = ["---", f"key: {lesson.key}", f"title: {lesson.title}", "---"]
    for step in lesson.steps:
        out += ["", f"## {step.title}", f"view: {step.page}"]
        out += [f"  {name}: {_value_text(value)}" for name, value in step.query.items()]
        if step.text:
            out += ["", _escape(step.text)]
        q = step.question
        if q is None:
            continue
        out += ["", "### Question", f"answer: {q.answer}", f"tolerance: {q.tolerance!r}"]
        if q.digits != DEFAULT_DIGITS:
            out.append(f"digits: {q.digits}")
        out += [f"choice: {choice}" for choice in q.choices]
        out += ["", _escape(q.prompt)]
        if q.explanation:
            out += ["", "### Explanation", "", _escape(q.explanation)]
    return "\n".join(out) + "\n"


def _fields(lines: list[str], where: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The `name: value` lines at the top (up to the first blank line), and the lines after."""
    header = []
    for i, line in enumerate(lines):
        if not line.strip():
            return header, lines[i + 1:]
        name, colon, value = line.partition(":")
        if not colon:
            raise LessonError(f"{where}: expected ‘name: value’, got {line[:60]!r}.")
        header.append((name, value[1:] if value.startswith(" ") else value))
    return header, []


def _split(lines: list[str], marker: str) -> list[tuple[str, list[str]]]:
    """Sections of `lines` that start at a line `marker` + " " + heading."""
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith(marker + " "):
            sections.append((line[len(marker) + 1:], []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            raise LessonError(f"Unexpected text before the first step: {line[:60]!r}.")
    return sections


def _question(lines: list[str], where: str) -> Question:
    where = f"{where}, question"
    explanation: list[str] = []
    for i, line in enumerate(lines):
        if line == "### Explanation":
            lines, explanation = lines[:i], lines[i + 1:]
            break
        if line.startswith("### "):
            raise LessonError(f"{where}: unknown section {line[:40]!r}.")
    header, prompt = _fields(lines, where)
    answer, tolerance, digits, choices = None, DEFAULT_TOLERANCE, DEFAULT_DIGITS, []
    for name, value in header:
        if name == "answer":
            answer = value
        elif name == "tolerance":
            try:
                tolerance = float(value)
            except ValueError:
                raise LessonError(f"{where}: tolerance {value[:20]!r} is not a number.") from None
        elif name == "digits":
            if not value.isdigit():
                raise LessonError(f"{where}: digits {value[:20]!r} is not a whole number.")
            digits = int(value)
        elif name == "choice":
            choices.append(value)
        else:
            raise LessonError(f"{where}: unknown field {name[:20]!r} (answer, tolerance, "
                              "digits, choice).")
    if answer is None:
        raise LessonError(f"{where}: the question has no ‘answer:’ line.")
    return Question(_unescape(prompt), answer, tuple(choices), tolerance, _unescape(explanation),
                    digits)


def _step(title: str, lines: list[str], number: int) -> Step:
    where = f"Step {number} ({title[:30]})"
    question = None
    for i, line in enumerate(lines):
        if line == "### Question":
            question = _question(lines[i + 1:], where)
            lines = lines[:i]
            break
        if line.startswith("### "):
            raise LessonError(f"{where}: unknown section {line[:40]!r} (only ### Question).")
    while lines and not lines[0].strip():
        lines = lines[1:]
    header, text = _fields(lines, where)
    if not header or header[0][0] != "view":
        raise LessonError(f"{where}: the step must start with a ‘view: pages/…’ line.")
    query = {}
    for name, value in header[1:]:
        if not name.startswith("  "):
            raise LessonError(f"{where}: query lines under ‘view:’ are indented, got {name!r}.")
        query[name.strip()] = _value_of(value, f"{where}, {name.strip()}")
    return Step(title, header[0][1], query, _unescape(text), question)


def parse_markdown(text: str) -> Lesson:
    """The lesson a Markdown file holds, or a LessonError saying what is wrong and where."""
    if not isinstance(text, str):
        raise LessonError("A lesson file must be text.")
    if len(text) > MAX_MARKDOWN_CHARS:
        raise LessonError(f"The lesson is {len(text):,} characters long; at most "
                          f"{MAX_MARKDOWN_CHARS:,} are allowed.")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0] != "---" or "---" not in lines[1:]:
        raise LessonError("A lesson file starts with front matter: a line ‘---’, then "
                          "‘key: …’ and ‘title: …’, then ‘---’.")
    end = lines.index("---", 1)
    front = dict(_fields(lines[1:end], "Front matter")[0])
    if set(front) != {"key", "title"}:
        raise LessonError(f"The front matter needs exactly ‘key’ and ‘title’, got "
                          f"{', '.join(sorted(front)) or 'nothing'}.")
    steps = [_step(title, body, n) for n, (title, body) in enumerate(_split(lines[end + 1:],
                                                                            "##"), 1)]
    return Lesson(front["key"], front["title"], tuple(steps))


# ---- share links ------------------------------------------------------------------------------


def pack(lesson: Lesson) -> str:
    """The whole lesson as one URL-safe string, or a LessonError if the link would be too long."""
    packed = base64.urlsafe_b64encode(zlib.compress(format_markdown(lesson).encode(), 9))
    text = packed.decode("ascii").rstrip("=")
    if len(text) > MAX_LINK_CHARS:
        raise LessonError(f"This lesson makes a link of {len(text):,} characters, more than the "
                          f"{MAX_LINK_CHARS:,} a link can safely carry: share the Markdown file "
                          "instead, or shorten the lesson.")
    return text


def unpack(text: str) -> Lesson:
    """The lesson a share link carries, or a LessonError if it is too long or damaged."""
    if len(text) > MAX_LINK_CHARS:
        raise LessonError(f"This lesson link is {len(text):,} characters long; at most "
                          f"{MAX_LINK_CHARS:,} are accepted.")
    damaged = LessonError("This lesson link is damaged (perhaps cut short when it was copied): "
                          "ask for the link again, or for the lesson's Markdown file.")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflate = zlib.decompressobj()
        raw = inflate.decompress(data, MAX_MARKDOWN_CHARS * 4 + 1)
        if inflate.unconsumed_tail or not inflate.eof or len(raw) > MAX_MARKDOWN_CHARS * 4:
            raise damaged
        markdown = raw.decode("utf-8")
    except (binascii.Error, ValueError, zlib.error):
        raise damaged from None
    return parse_markdown(markdown)


# ---- the built-in course ----------------------------------------------------------------------


@lru_cache(maxsize=4)
def builtin_lessons(folder: Path = COURSE_DIR) -> MappingProxyType[str, Lesson]:
    """The built-in course: key -> lesson, in COURSE order; each file is named <key>.md.
    Read once per process."""
    lessons = {}
    for key in COURSE:
        lesson = parse_markdown((folder / f"{key}.md").read_text(encoding="utf-8"))
        if lesson.key != key:
            raise LessonError(f"{key}.md declares the key {lesson.key!r}.")
        lessons[key] = lesson
    return MappingProxyType(lessons)
