"""What a search found, and how it is shown: hits, snippets cut around the matched words,
escaped, with the words in <mark> (both back ends: search.postgresql, search.words)."""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contacts.models import Goal, Interest, Kol
from engagements.models import Touchpoint

LIMIT = 50
# ts_headline wraps matches in these; they are turned into <mark> after escaping the text.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
SNIPPET_CHARS = 160

TOUCHPOINT_FIELDS = [
    ("they_said", "They said"),
    ("feedback", "Feedback on our work"),
    ("summary", "Summary"),
]


@dataclass
class Snippet:
    label: str
    html: SafeString


@dataclass
class TouchpointHit:
    touchpoint: Touchpoint
    snippet: Snippet | None


@dataclass
class KolHit:
    kol: Kol
    reasons: list[Snippet] = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    touchpoints: list[TouchpointHit]
    touchpoint_count: int
    kols: list[KolHit]
    kol_count: int

    @property
    def is_empty(self) -> bool:
        return not self.touchpoints and not self.kols


def highlight_marked(original: str, headline: str | None) -> SafeString | None:
    """Mark, in the user's own text, the words ts_headline marked (so stemming decides what
    matched), or None when it marked none. Built from the original text and escaped in
    highlight_words: ts_headline drops anything that looks like a tag, and we show it."""
    words = set(_MARKED.findall(headline or ""))
    if not words:
        return None
    return highlight_words(original, sorted(words, key=len, reverse=True), whole_words=True)


def highlight_words(text: str, words: list[str], *, whole_words: bool = False) -> SafeString | None:
    """A snippet of `text` around the first word found, escaped, words in <mark>; else None."""
    edge = r"\b" if whole_words else ""
    found = []
    for word in words:
        match = re.search(f"{edge}{re.escape(word)}{edge}", text or "", re.IGNORECASE)
        if match:
            found.append((match.start(), word))
    if not found:
        return None
    first = min(at for at, _ in found)
    start = max(0, first - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    piece = text[start:end]
    alternatives = "|".join(re.escape(w) for _, w in found)
    pattern = re.compile(f"{edge}(?:{alternatives}){edge}", re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(piece):
        parts.append(escape(piece[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(piece[last:]))
    html = ("… " if start else "") + "".join(parts) + (" …" if end < len(text) else "")
    return mark_safe(html)  # noqa: S308 (every piece escaped above)


def goal_label(goal: Goal) -> str:
    return f"Goal ({goal.get_whose_display().lower()})"


def interest_reason(interest: Interest, note_html: SafeString | None) -> Snippet:
    label = f"Interest: {interest.topic.name if interest.topic else interest.get_kind_display()}"
    return Snippet(label, note_html or escape(interest.note))
