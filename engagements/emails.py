"""Every email is built here, from three templates: emails/<name>-subject.txt, -body.txt
and -body.html. Reminders carry List-Unsubscribe (RFC 2369) and one-click (RFC 8058)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts.models import User


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_email(
    name: str, *, to: User, context: dict, unsubscribe_url: str | None = None
) -> EmailMultiAlternatives:
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
    message = EmailMultiAlternatives(subject, text, to=[to.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message
