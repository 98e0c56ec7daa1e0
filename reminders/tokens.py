"""Signed links that work without signing in: unsubscribe from an email kind."""

from django.core import signing

from accounts.models import User

UNSUBSCRIBE_SALT = "kolcrm.unsubscribe"
# An unsubscribe link keeps working for a long time: old emails get read late.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365

# What each kind of email can switch off (a preference field on the user).
UNSUBSCRIBE_FIELDS = {
    "digest": ("digest_enabled", "the daily digest"),
    "follow_up": ("immediate_follow_ups", "an email for each follow-up the day it is due"),
    "manager_weekly": ("manager_summary_enabled", "the weekly team summary"),
}


class InvalidLink(Exception):
    pass


def unsubscribe_token(user: User, kind: str) -> str:
    if kind not in UNSUBSCRIBE_FIELDS:
        raise ValueError(f"Unknown email kind {kind!r}")
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise InvalidLink(str(error)) from None
    kind = data.get("k") if isinstance(data, dict) else None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if kind else None
    if user is None or kind not in UNSUBSCRIBE_FIELDS:
        raise InvalidLink("unknown user or kind")
    return user, kind
