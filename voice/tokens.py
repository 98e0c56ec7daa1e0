"""The KOL's personal link: a signed token naming one VoiceLink row and its KOL.

The signature proves we wrote it (and for this purpose: its salt); the row says whether it
still works (`link_usable`: not revoked, not expired, the KOL still agrees to email and
was not erased). Nothing else is read from the token."""

import zlib

from django.core import signing

from voice.models import VoiceLink

VOICE_SALT = "kolcrm.voice.link"


class InvalidVoiceLink(Exception):
    pass


def _stamp(link: VoiceLink) -> int:
    return int(link.created_at.timestamp())


def _signer() -> signing.Signer:
    return signing.Signer(salt=VOICE_SALT)


def voice_token(link: VoiceLink) -> str:
    """The same address every time it is shown (no time in it): the row says until when."""
    return _signer().sign_object({"l": link.pk, "k": link.kol_id, "c": _stamp(link)})


def link_usable(link: VoiceLink) -> bool:
    """The one rule of whether a link still opens: asked again on every request."""
    kol = link.kol
    return (
        link.state() not in {VoiceLink.State.REVOKED, VoiceLink.State.EXPIRED}
        and kol.email_consent
        and kol.erased_at is None
    )


def read_voice_token(token: str) -> VoiceLink:
    """The usable link the token names; InvalidVoiceLink for anything else (tampered,
    expired, signed for another purpose or KOL, revoked, consent withdrawn, erased)."""
    try:
        data = _signer().unsign_object(token)
    # A good signature over something that is not our JSON (a timestamped token of the same
    # salt reads as one) fails to decode: refused the same way.
    except (signing.BadSignature, ValueError, zlib.error) as error:
        raise InvalidVoiceLink(str(error)) from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), int) for key in ("l", "k", "c")
    ):
        raise InvalidVoiceLink("malformed payload")
    link = (
        VoiceLink.objects.select_related("kol", "created_by")
        .filter(pk=data["l"], kol_id=data["k"])
        .first()
    )
    # The creation stamp ties the token to this very row, should an id ever come back.
    if link is None or data["c"] != _stamp(link) or not link_usable(link):
        raise InvalidVoiceLink("unknown or no longer usable link")
    return link
