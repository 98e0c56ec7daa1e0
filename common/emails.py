"""Every email is built here, from three templates: emails/<name>-subject.txt, -body.txt
and -body.html. Reminders carry List-Unsubscribe (RFC 2369) and one-click (RFC 8058)."""

import email.policy

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# RFC 5322's hard limit for a line. Python's default policy folds a header at 78 columns,
# and a header with no space to fold at (List-Unsubscribe's one long URL) then comes out
# RFC 2047-encoded ("=?utf-8?q?..."), which mail clients do not read as an RFC 2369 link.
MAX_LINE = 998


class Email(EmailMultiAlternatives):
    """An email whose headers are folded at RFC 5322's limit, not at 78 columns."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=MAX_LINE))


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_email(name: str, *, to, context: dict, unsubscribe_url: str | None = None) -> Email:
    """The email `name` to the person `to` (anything with `.email`)."""
    context = {"recipient": to, "site_url": settings.SITE_URL, **context}
    if unsubscribe_url:
        context["unsubscribe_url"] = unsubscribe_url
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = Email(subject, text, to=[to.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
