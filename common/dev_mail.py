"""`make run`'s mail: each message printed as readable text (not quoted-printable MIME) in
one block on the console, and kept in var/outbox/ as .txt (to read) and .eml (to open in a
mail app, HTML and all). Development only: settings choose it when DEBUG and no EMAIL_HOST."""

import sys
import threading
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

RULE = "=" * 79


def readable(message) -> str:
    """The message as a person reads it: the main headers, then the plain-text body."""
    lines = [
        f"From: {message.from_email}",
        f"To: {', '.join(message.to)}",
        *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
        f"Subject: {message.subject}",
        *(f"{name}: {value}" for name, value in message.extra_headers.items()),
        "",
        message.body,
    ]
    return "\n".join(lines)


class ReadableOutboxBackend(BaseEmailBackend):
    def __init__(self, *, directory: str = "var/outbox", stream=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(directory)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._count = 0

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for message in email_messages:
                self._count += 1
                stem = self.directory / f"{timezone.now():%Y%m%d-%H%M%S-%f}-{self._count}"
                text = readable(message)
                stem.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
                stem.with_suffix(".eml").write_bytes(message.message().as_bytes())
                self.stream.write(
                    f"\n{RULE}\n{text.rstrip()}\n\n(saved as {stem}.txt and .eml)\n{RULE}\n"
                )
                self.stream.flush()
        return len(email_messages)
