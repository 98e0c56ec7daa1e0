"""Writes of the KOL's own voice: links (create, revoke, opened) and the KOL's answers. One
transaction each. The KOL has no account: History entries they cause have no actor and say
it was the KOL."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contacts import audit
from contacts.models import AuditEntry, Interest, Kol, Topic
from engagements.models import EngagementPlan, FollowUp, Give
from engagements.services import followups as followup_services
from voice.models import SurveyAnswer, VoiceLink

ANSWER_SUBJECT = AuditEntry.FROM_THE_KOL
NO_CONSENT = "Record their email consent first: the link is for sending to them."


def _told_us(kol: Kol, what: str) -> str:
    return f"{kol.name} told us through their link: {what}"


@transaction.atomic
def link_create(
    *, kol: Kol, by: User, ask_interests: bool, share_plan: bool, gives: list[Give]
) -> VoiceLink:
    if not kol.email_consent or kol.erased_at:
        raise ValidationError(NO_CONSENT)
    now = timezone.now().replace(microsecond=0)  # the token carries it to the second
    link = VoiceLink.objects.create(
        kol=kol,
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.VOICE_LINK_DAYS),
        ask_interests=ask_interests,
        share_plan=share_plan,
    )
    link.gives.set([give for give in gives if give.kol_id == kol.pk])
    parts = [
        name
        for name, chosen in [
            ("what matters to you", ask_interests),
            ("our plan together", share_plan),
            (f"{len(gives)} give{'s' if len(gives) != 1 else ''} to rate", bool(gives)),
        ]
        if chosen
    ]
    audit.record(
        kol=kol,
        actor=by,
        action="created",
        subject="personal link",
        subject_id=link.pk,
        summary=f"A personal link for {kol.name}: {', '.join(parts)}",
    )
    return link


@transaction.atomic
def link_revoke(*, link: VoiceLink, by: User) -> VoiceLink:
    if VoiceLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now()):
        audit.record(
            kol=link.kol,
            actor=by,
            action="changed",
            subject="personal link",
            subject_id=link.pk,
            summary=f"Personal link of {link.created_at:%-d %b %Y} revoked",
        )
    link.refresh_from_db(fields=["revoked_at"])
    return link


def link_opened(*, link: VoiceLink) -> None:
    """The first opening is kept (a state on the KOL page); later ones change nothing."""
    if link.opened_at is None:
        now = timezone.now()
        VoiceLink.objects.filter(pk=link.pk, opened_at=None).update(opened_at=now)
        link.opened_at = now


def _answered(link: VoiceLink, what: str) -> None:
    """Every answer: the link's state, the History, and one open follow-up for the MSL."""
    kol, now = link.kol, timezone.now()
    VoiceLink.objects.filter(pk=link.pk).update(answered_at=now)
    link.answered_at = now
    audit.record(
        kol=kol,
        actor=None,
        action="created",
        subject=ANSWER_SUBJECT,
        subject_id=link.pk,
        summary=_told_us(kol, what),
    )
    open_one = FollowUp.objects.filter(pk=link.follow_up_id, status=FollowUp.Status.OPEN).exists()
    if not open_one:
        owner = link.created_by if link.created_by.is_active else kol.owner
        follow_up = followup_services.followup_add(
            kol=kol,
            by=owner,
            kind=FollowUp.Kind.OTHER,
            text=f"Read what {kol.name} told us",
            # Their today, but never a day the service takes for the past (server's date).
            due_on=max(owner.today(), timezone.localdate()),
        )
        VoiceLink.objects.filter(pk=link.pk).update(follow_up=follow_up)
        link.follow_up = follow_up


@transaction.atomic
def survey_answer(
    *, link: VoiceLink, interest_kinds: list[str], topics: list[Topic], goals: str
) -> SurveyAnswer:
    """A second answer replaces the first: one answer per link, never two."""
    kinds = [kind for kind in Interest.Kind.values if kind in set(interest_kinds)]
    answer, _ = SurveyAnswer.objects.update_or_create(
        link=link,
        defaults={
            "kol": link.kol,
            "interest_kinds": kinds,
            "goals": goals.strip(),
            "answered_on": link.created_by.today(),
        },
    )
    answer.topics.set(topics)
    labels = [Interest.Kind(kind).label for kind in kinds] + [topic.name for topic in topics]
    _answered(link, "what matters to them (" + (", ".join(labels) or "their goals") + ")")
    return answer


@transaction.atomic
def plan_comment(*, link: VoiceLink, comment: str) -> None:
    day = link.created_by.today()
    EngagementPlan.objects.filter(kol=link.kol).update(
        kol_comment=comment.strip(), kol_commented_on=day
    )
    _answered(link, "a comment on our plan together")


@transaction.atomic
def give_rate(*, link: VoiceLink, give: Give, rating: str, comment: str) -> None:
    if not link.gives.filter(pk=give.pk).exists():
        raise ValidationError("That give is not part of this link.")
    Give.objects.filter(pk=give.pk).update(
        kol_rating=rating, kol_rating_comment=comment.strip(), kol_rated_on=link.created_by.today()
    )
    label = dict(Give._meta.get_field("kol_rating").choices)[rating]
    _answered(link, f"{give.get_kind_display()} of {give.given_on:%-d %b %Y} rated {label}")


@transaction.atomic
def forget_kol(*, kol: Kol, reason: str) -> int:
    """Consent withdrawn or data erased: every link of theirs stops working and everything
    they told us through it goes (survey answers, plan comment, give ratings). Returns how
    many links were still working."""
    links = VoiceLink.objects.filter(kol=kol)
    rated = Give.objects.filter(kol=kol).exclude(kol_rating="", kol_rating_comment="")
    commented = EngagementPlan.objects.filter(kol=kol).exclude(kol_comment="")
    if not (
        links.filter(revoked_at=None).exists()
        or SurveyAnswer.objects.filter(kol=kol).exists()
        or rated.exists()
        or commented.exists()
    ):
        return 0  # nothing live: forgetting twice writes no second History entry
    count = links.filter(revoked_at=None).update(revoked_at=timezone.now())
    SurveyAnswer.objects.filter(kol=kol).delete()
    EngagementPlan.objects.filter(kol=kol).update(kol_comment="", kol_commented_on=None)
    Give.objects.filter(kol=kol).update(kol_rating="", kol_rating_comment="", kol_rated_on=None)
    # The History keeps that they answered, not what.
    AuditEntry.objects.filter(kol=kol, subject=ANSWER_SUBJECT).update(
        summary="An answer through their personal link (removed)", changes={}
    )
    audit.record(
        kol=kol,
        actor=None,
        action="deleted",
        subject="answers from the KOL",
        subject_id=None,
        summary=f"Personal links stopped and their answers removed: {reason}",
    )
    return count
