"""The invitation link: signed, expiring after 7 days, and good for one use.

The token embeds the user id and a hash of their password field and last login, so it
stops working as soon as the password is set (or the person signs in another way).
"""

import datetime

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

INVITE_SALT = "kolcrm.reviews.invite"
INVITE_MAX_AGE = datetime.timedelta(days=7)


class InvalidInvite(Exception):
    pass


def _state_hash(user: User) -> str:
    last_login = "" if user.last_login is None else int(user.last_login.timestamp())
    value = f"{user.pk}{user.password}{last_login}{user.is_active}"
    return salted_hmac(INVITE_SALT, value, algorithm="sha256").hexdigest()[:20]


def invite_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "h": _state_hash(user)}, salt=INVITE_SALT, compress=True)


def read_invite_token(token: str) -> User:
    """The invited user, else InvalidInvite (tampered, expired, used, or unknown user)."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise InvalidInvite(str(error)) from None
    if not isinstance(data, dict) or not isinstance(data.get("h"), str):
        raise InvalidInvite("malformed payload")
    user = User.objects.filter(pk=data.get("u")).first() if isinstance(data.get("u"), int) else None
    if user is None or not constant_time_compare(data["h"], _state_hash(user)):
        raise InvalidInvite("unknown user, or the link was used already")
    return user
