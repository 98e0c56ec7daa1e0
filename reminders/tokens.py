"""Signed links that work without signing in: unsubscribe from an email kind."""

from django.core import signing
from django.db.models import F

from accounts.models import User

UNSUBSCRIBE_SALT = "kolcrm.unsubscribe"
# Old emails get read late, but a link that works for ever is a standing key: 90 days, and
# "Make old email links stop working" on Preferences revokes them all at once (the token
# carries User.email_links_version, as the calendar feed's link carries its secret).
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90

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
    return signing.dumps(
        {"u": user.pk, "k": kind, "v": user.email_links_version},
        salt=UNSUBSCRIBE_SALT,
        compress=True,
    )


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise InvalidLink(str(error)) from None
    kind = data.get("k") if isinstance(data, dict) else None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first() if kind else None
    if user is None or kind not in UNSUBSCRIBE_FIELDS:
        raise InvalidLink("unknown user or kind")
    if data.get("v") != user.email_links_version:
        raise InvalidLink("revoked")
    return user, kind


def email_links_revoke(*, user: User) -> None:
    """Every signed link in an email already sent to `user` stops working."""
    User.objects.filter(pk=user.pk).update(email_links_version=F("email_links_version") + 1)
    user.refresh_from_db(fields=["email_links_version"])
