"""What the voice app adds to the KOL page: the KOL's personal links and their states,
and what the KOL told us through them (kolpage/ composes it with the other parts)."""

from functools import cached_property
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from common.emails import absolute
from contacts.models import Kol
from contacts.selectors import KolAccess
from engagements.models import FollowUp
from voice import selectors
from voice.forms import LinkCreateForm
from voice.models import SurveyAnswer, VoiceLink
from voice.tokens import voice_token

TEMPLATE = "voice/_kol_links.html"
THANK_YOU_LINE = (
    "So that I don't assume: a few questions on what matters to you, our plan together and "
    "what I sent. This personal link works only for you: "
)
PART = "voice"


def link_address(request: HttpRequest, link: VoiceLink) -> str:
    """The full address to send the KOL (the host they will reach us at, as the MSL did)."""
    return request.build_absolute_uri(reverse("kol_link", args=[voice_token(link)]))


def link_mailto(kol: Kol, address: str, *, sender) -> str:
    """The link in a message from the MSL's own mail app (we send nothing ourselves)."""
    if not (address and kol.email and kol.email_consent):
        return ""
    body = "\r\n".join(
        [
            f"Dear {kol.name},",
            "",
            "Thank you for your time. So that I don't assume, I would value hearing from you",
            "directly: what matters to you, our plan together, and whether what I sent was useful.",
            "It takes a few minutes, needs no account, and this personal link works only for you:",
            "",
            address,
            "",
            "Best regards,",
            sender.display_name or sender.email,
        ]
    )
    subject = quote("What matters to you: a few questions", safe="")
    return f"mailto:{quote(kol.email, safe='@')}?subject={subject}&body={quote(body, safe='')}"


def thank_you_lines(followups: list[FollowUp]) -> dict[int, list[str]]:
    """The KOL's newest working personal link, in each thank-you draft (engagements asks:
    VoiceConfig.ready hands it this), one query for all the follow-ups."""
    links = selectors.newest_usable_links({f.kol_id for f in followups})
    return {
        f.pk: [THANK_YOU_LINE + absolute(reverse("kol_link", args=[voice_token(link)]))]
        for f in followups
        if (link := links.get(f.kol_id))
    }


class VoicePanel:
    """Read once, and only if the panel is rendered."""

    def __init__(self, request: HttpRequest, kol: Kol, access: KolAccess):
        self.request, self.kol, self.access = request, kol, access
        self.days = settings.VOICE_LINK_DAYS

    @cached_property
    def links(self) -> list[VoiceLink]:
        links = selectors.kol_links(self.kol)
        for link in links:
            link.current_state = link.state()
            usable = link.current_state not in {VoiceLink.State.EXPIRED, VoiceLink.State.REVOKED}
            link.address = link_address(self.request, link) if usable else ""
            link.mailto = link_mailto(self.kol, link.address, sender=self.request.user)
        return links

    @cached_property
    def survey(self) -> SurveyAnswer | None:
        return selectors.latest_survey(self.kol)

    @cached_property
    def comparison(self) -> list[selectors.Comparison]:
        return selectors.compare_with_our_record(self.survey) if self.survey else []

    @cached_property
    def form(self) -> LinkCreateForm | None:
        if not (self.access.can_log and self.kol.email_consent):
            return None
        return LinkCreateForm(kol=self.kol, has_plan=selectors.has_plan_to_share(self.kol))


def voice_context(
    request: HttpRequest, kol: Kol, access: KolAccess, *, form: LinkCreateForm | None = None
) -> dict:
    panel = VoicePanel(request, kol, access)
    if form is not None:
        panel.__dict__["form"] = form
    return {"voice": panel}


def kol_page_extras(request: HttpRequest, kol: Kol, access: KolAccess) -> dict:
    return voice_context(request, kol, access)
