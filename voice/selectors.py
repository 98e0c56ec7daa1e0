"""Reads of the KOL's own voice: the links of a KOL and what they told us (the KOL page's
panel), and what a link shows the KOL (the public page)."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contacts.models import AssumptionStatus, Goal, Interest, Kol, Provenance, Topic
from engagements.models import EngagementPlan, Give
from voice.forms import MAX_TOPICS_OFFERED, SURVEY_KINDS, SURVEY_LABELS
from voice.models import SurveyAnswer, VoiceLink


def kol_links(kol: Kol) -> list[VoiceLink]:
    """The KOL page's list: newest first, their gives and answers read with them."""
    return list(
        VoiceLink.objects.filter(kol=kol)
        .select_related("created_by", "survey")
        .prefetch_related(Prefetch("gives", queryset=Give.objects.select_related("topic")))
    )


def has_plan_to_share(kol: Kol) -> bool:
    """ "Our plan together" needs a plan with objectives written."""
    return EngagementPlan.objects.filter(kol=kol).exclude(objectives="").exists()


def latest_survey(kol: Kol) -> SurveyAnswer | None:
    # A KOL who withdrew consent has no answers (forget_kol); the filter keeps a
    # half-finished withdrawal from showing them meanwhile.
    return (
        SurveyAnswer.objects.filter(kol=kol, kol__email_consent=True)
        .prefetch_related("topics")
        .order_by("-answered_on", "-updated_at")
        .first()
    )


@dataclass(frozen=True)
class Comparison:
    label: str
    they_chose: bool
    we_recorded: str  # "", "stated", "assumed", "confirmed", "refuted"

    @property
    def verdict(self) -> str:
        if self.they_chose:
            return {
                "assumed": "confirms what we assumed",
                "refuted": "they chose it: we had it as refuted",
                "stated": "matches what we recorded",
                "confirmed": "matches what we recorded",
            }.get(self.we_recorded, "new to us")
        return {
            "assumed": "not chosen: our assumption is not confirmed",
            "stated": "not chosen this time",
            "confirmed": "not chosen this time",
        }.get(self.we_recorded, "")


def _recorded(interest: Interest) -> str:
    if interest.provenance == Provenance.STATED:
        return "stated"
    return {
        AssumptionStatus.CONFIRMED: "confirmed",
        AssumptionStatus.REFUTED: "refuted",
    }.get(interest.assumption_status, "assumed")


def compare_with_our_record(answer: SurveyAnswer) -> list[Comparison]:
    """Their answer beside what we recorded, kind by kind; nothing of ours is changed."""
    ours: dict[str, str] = {}
    for interest in Interest.objects.filter(kol_id=answer.kol_id, kind__in=SURVEY_KINDS):
        ours.setdefault(interest.kind, _recorded(interest))
    rows = []
    for kind in SURVEY_KINDS:
        chose = kind in answer.interest_kinds
        if chose or kind in ours:
            rows.append(Comparison(str(SURVEY_LABELS[kind]), chose, ours.get(kind, "")))
    return rows


def survey_topics(kol: Kol) -> QuerySet[Topic]:
    """Topics the survey offers: of their therapeutic areas, interests and gives."""
    ids = (
        Topic.objects.filter(Q(area__kols=kol) | Q(interests__kol=kol) | Q(gives__kol=kol))
        .distinct()
        .order_by("name")
        .values_list("pk", flat=True)[:MAX_TOPICS_OFFERED]
    )
    # Unsliced, so that the form's field can filter it when it checks a choice.
    return Topic.objects.filter(pk__in=list(ids)).order_by("name")


@dataclass
class PublicPage:
    """What a link shows the KOL: only the parts chosen, only what is meant for them."""

    link: VoiceLink
    plan: EngagementPlan | None
    our_goals: list[Goal]
    gives: list[Give]
    survey: SurveyAnswer | None


def public_page(link: VoiceLink) -> PublicPage:
    plan, goals = None, []
    if link.share_plan:
        plan = EngagementPlan.objects.filter(kol_id=link.kol_id).first()
        # What we hope for, with what is in it for them; commercial goals are not shared.
        goals = list(
            Goal.objects.filter(
                kol_id=link.kol_id,
                whose=Goal.Whose.OURS,
                status__in=[Goal.Status.OPEN, Goal.Status.PROGRESSING],
            ).exclude(area=Goal.Area.COMMERCIAL)
        )
    gives = list(link.gives.select_related("topic").order_by("-given_on", "-pk"))
    survey = (
        SurveyAnswer.objects.filter(link=link).prefetch_related("topics").first()
        if link.ask_interests
        else None
    )
    return PublicPage(link=link, plan=plan, our_goals=goals, gives=gives, survey=survey)


def newest_usable_links(kol_ids: set[int]) -> dict[int, VoiceLink]:
    """Each KOL's newest link that still works (voice.tokens.link_usable, as a query), for
    many KOLs in one query."""
    rows = VoiceLink.objects.filter(
        kol_id__in=kol_ids,
        revoked_at=None,
        expires_at__gt=timezone.now(),
        kol__email_consent=True,
        kol__erased_at=None,
    ).order_by("kol_id", "-created_at", "-pk")
    newest: dict[int, VoiceLink] = {}
    for link in rows:
        newest.setdefault(link.kol_id, link)
    return newest
