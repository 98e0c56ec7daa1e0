"""The invitation link: a signed token naming one Invitation row.

The signature only proves we wrote the token; whether it still works is the row's to say
(accepted, declined, revoked, expired after 7 days: Invitation.state), so revoking the
invitation or removing the person kills the link at once.
"""

from django.core import signing

from reviews.models import Invitation

INVITE_SALT = "kolcrm.reviews.invite"
INVITE_MAX_AGE = Invitation.VALID_FOR


class InvalidInvite(Exception):
    pass


def _stamp(invitation: Invitation) -> int:
    return int(invitation.created_at.timestamp())


def invite_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "c": _stamp(invitation)}, salt=INVITE_SALT)


def read_invite_token(token: str) -> Invitation:
    """The invitation the token names, whatever its state; InvalidInvite when the token is
    not one of ours (tampered, malformed, signed for something else) or names no row."""
    try:
        data = signing.loads(token, salt=INVITE_SALT)
    except signing.BadSignature as error:
        raise InvalidInvite(str(error)) from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise InvalidInvite("malformed payload")
    invitation = (
        Invitation.objects.select_related("team", "user", "invited_by").filter(pk=data["i"]).first()
    )
    # The creation stamp ties the token to this very row, should an id ever come back.
    if invitation is None or data.get("c") != _stamp(invitation):
        raise InvalidInvite("unknown invitation")
    return invitation
