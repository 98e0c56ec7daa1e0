"""A KOL's data on request: everything we hold about the person (privacy.services erases it).

`kol_data` reads every row about one KOL (a fixed number of queries, however many rows);
`erase_preview` counts what erasing would blank.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import User
from contacts.models import AuditEntry, Goal, Interest, Kol, StageChange
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Touchpoint
from events.models import Event
from reviews.models import StageReview
from voice.models import VoiceLink


def _who(user: User | None) -> str:
    return str(user) if user else ""


# Reading -------------------------------------------------------------------------------


def _profile(kol: Kol) -> dict[str, Any]:
    return {
        "id": kol.pk,
        "name": kol.name,
        "credentials": kol.credentials,
        "specialty": kol.specialty,
        "institution": kol.institution,
        "city": kol.city,
        "country": kol.country,
        "email": kol.email,
        "phone": kol.phone,
        "profile_url": kol.profile_url,
        "from_where": kol.from_where,
        "trained_at": kol.trained_at,
        "passions": kol.passions,
        "preferred_channel": kol.get_preferred_channel_display(),
        "therapeutic_areas": [area.name for area in kol.therapeutic_areas.all()],
        "cadence_days": kol.cadence_days,
        "stage": kol.get_stage_display(),
        "owner": _who(kol.owner),
        "email_consent": kol.email_consent,
        "email_consent_on": kol.email_consent_on,
        "archived": kol.is_archived,
        "erased_at": kol.erased_at,
        "created_at": kol.created_at,
        "last_interaction_at": kol.last_interaction_at,
        "next_check_in_on": kol.next_check_in_on,
    }


def _interest(interest: Interest) -> dict[str, Any]:
    return {
        "kind": interest.get_kind_display(),
        "topic": interest.topic.name if interest.topic else "",
        "area": interest.topic.area.name if interest.topic else "",
        "provenance": interest.provenance_label,
        "stated_on": interest.stated_on,
        "note": interest.note,
        "give_cadence_days": interest.give_cadence_days,
        "created_by": _who(interest.created_by),
        "created_at": interest.created_at,
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "whose": goal.get_whose_display(),
        "area": goal.get_area_display(),
        "text": goal.text,
        "status": goal.get_status_display(),
        "in_it_for_kol": goal.in_it_for_kol,
        "provenance": goal.provenance_label,
        "stated_on": goal.stated_on,
        "created_by": _who(goal.created_by),
        "created_at": goal.created_at,
    }


def _stage_change(change: StageChange) -> dict[str, Any]:
    return {
        "from_stage": change.get_from_stage_display(),
        "to_stage": change.get_to_stage_display(),
        "changed_by": _who(change.changed_by),
        "changed_at": change.changed_at,
        "reason": change.reason,
    }


def _touchpoint(touchpoint: Touchpoint) -> dict[str, Any]:
    return {
        "occurred_at": touchpoint.occurred_at,
        "kind": touchpoint.get_kind_display(),
        "by": _who(touchpoint.by),
        "where": touchpoint.where,
        "topics": [topic.name for topic in touchpoint.topics.all()],
        "summary": touchpoint.summary,
        "they_said": touchpoint.they_said,
        "feedback": touchpoint.feedback,
        "is_criticism": touchpoint.is_criticism,
        "questions": [question.text for question in touchpoint.questions.all()],
        "questions_text": touchpoint.questions_text,
        "next_steps": touchpoint.next_steps,
        "interests": [
            f"{link.get_outcome_display()}: {link.interest}"
            for link in touchpoint.interest_links.all()
        ],
    }


def _follow_up(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "due_on": follow_up.due_on,
        "kind": follow_up.get_kind_display(),
        "text": follow_up.text,
        "status": follow_up.get_status_display(),
        "done_at": follow_up.done_at,
        "owner": _who(follow_up.owner),
    }


def _give(give: Give) -> dict[str, Any]:
    return {
        "given_on": give.given_on,
        "kind": give.get_kind_display(),
        "topic": give.topic.name if give.topic else "",
        "by": _who(give.by),
        "note": give.note,
        "response": give.response,
        "their_rating": give.get_kol_rating_display() if give.kol_rating else "",
        "their_comment": give.kol_rating_comment,
        "rated_on": give.kol_rated_on,
    }


def _ask(ask: Ask) -> dict[str, Any]:
    return {
        "asked_on": ask.asked_on,
        "kind": ask.get_kind_display(),
        "by": _who(ask.by),
        "in_it_for_kol": ask.in_it_for_kol,
        "outcome": ask.outcome,
    }


def _plan(plan: EngagementPlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "objectives": plan.objectives,
        "built_with_kol": plan.built_with_kol,
        "kol_input": plan.kol_input,
        "who_interacts": plan.who_interacts,
        "outcome_measures": plan.outcome_measures,
        "next_review_on": plan.next_review_on,
        "their_comment": plan.kol_comment,
        "their_comment_on": plan.kol_commented_on,
        "updated_at": plan.updated_at,
        "updated_by": _who(plan.updated_by),
    }


def _link(link: VoiceLink) -> dict[str, Any]:
    survey = getattr(link, "survey", None)
    return {
        "made_at": link.created_at,
        "made_by": _who(link.created_by),
        "state": link.get_state_display(),
        "expires_at": link.expires_at,
        "opened_at": link.opened_at,
        "answered_at": link.answered_at,
        "revoked_at": link.revoked_at,
        # Flat, as every row here: the readable page lists each field on a line.
        "their_survey_on": survey.answered_on if survey else None,
        "their_interests": survey.interest_kinds if survey else [],
        "their_topics": [topic.name for topic in survey.topics.all()] if survey else [],
        "their_goals": survey.goals if survey else "",
    }


def _event(event: Event) -> dict[str, Any]:
    return {
        "name": event.name,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "location": event.location,
    }


def _review(review: StageReview) -> dict[str, Any]:
    return {
        "at": review.at,
        "reviewer": _who(review.reviewer),
        "stage_at_review": review.get_stage_at_review_display(),
        "verdict": review.get_verdict_display(),
        "suggested_stage": review.get_suggested_stage_display(),
        "comment": review.comment,
    }


def _audit(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": _who(entry.actor),
        "action": entry.get_action_display(),
        "subject": entry.subject,
        "summary": entry.summary,
        "changes": entry.changes,
    }


def kol_data(kol: Kol) -> dict[str, Any]:
    """Everything we hold about the person: one query per kind of row (17 in all)."""
    kol = Kol.objects.select_related("owner").prefetch_related("therapeutic_areas").get(pk=kol.pk)
    plan = EngagementPlan.objects.filter(kol=kol).select_related("updated_by").first()
    touchpoints = (
        Touchpoint.objects.filter(kol=kol)
        .select_related("by")
        .prefetch_related("topics", "questions", "interest_links__interest__topic__area")
        .order_by("occurred_at", "pk")
    )
    reviews = StageReview.objects.filter(kol=kol).select_related("reviewer")
    return {
        "exported_at": timezone.now(),
        "profile": _profile(kol),
        "interests": [
            _interest(i)
            for i in Interest.objects.filter(kol=kol).select_related("topic__area", "created_by")
        ],
        "goals": [_goal(g) for g in Goal.objects.filter(kol=kol).select_related("created_by")],
        "stage_history": [
            _stage_change(c)
            for c in StageChange.objects.filter(kol=kol)
            .select_related("changed_by")
            .order_by("changed_at", "pk")
        ],
        "touchpoints": [_touchpoint(t) for t in touchpoints],
        "follow_ups": [
            _follow_up(f) for f in FollowUp.objects.filter(kol=kol).select_related("owner")
        ],
        "gives": [_give(g) for g in Give.objects.filter(kol=kol).select_related("by", "topic")],
        "asks": [_ask(a) for a in Ask.objects.filter(kol=kol).select_related("by")],
        "engagement_plan": _plan(plan),
        "events_attended": [_event(e) for e in Event.objects.filter(attendees=kol)],
        "stage_reviews": [_review(r) for r in reviews.order_by("at", "pk")],
        "personal_links": [
            _link(link)
            for link in VoiceLink.objects.filter(kol=kol)
            .select_related("created_by", "survey")
            .prefetch_related("survey__topics")
            .order_by("created_at", "pk")
        ],
        "collaborators": [
            {"user": _who(c.user), "role": c.get_role_display(), "added_at": c.added_at}
            for c in kol.collaborations.select_related("user")
        ],
        "audit_history": [
            _audit(e)
            for e in AuditEntry.objects.filter(kol=kol).select_related("actor").order_by("at", "pk")
        ],
    }


SECTION_TITLES = {
    "interests": "Interests",
    "goals": "Goals",
    "stage_history": "Stage history",
    "touchpoints": "Touchpoints",
    "follow_ups": "Follow-ups",
    "gives": "Gives",
    "asks": "Asks",
    "events_attended": "Events attended",
    "stage_reviews": "Stage reviews",
    "personal_links": "Their personal links and what they told us through them",
    "collaborators": "Colleagues who work with them",
    "audit_history": "History of changes",
}


def _label(key: str) -> str:
    return key.replace("_", " ").replace("kol", "KOL").capitalize()


def _words(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v[0] or '—'} → {v[1] or '—'}" for k, v in value.items())
    return value


def _fields(row: dict[str, Any]) -> list[tuple[str, Any]]:
    """A row as (label, value) pairs for the readable page, leaving out empty values."""
    return [(_label(k), _words(v)) for k, v in row.items() if v not in ("", None, [], {})]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[list[tuple[str, Any]]]


def readable_sections(data: dict[str, Any]) -> dict[str, Any]:
    """The same data, labelled in words, for the printable page."""
    plan = data["engagement_plan"]
    return {
        "profile": _fields(data["profile"]),
        "plan": _fields(plan) if plan else [],
        "sections": [
            Section(key, title, [_fields(row) for row in data[key]])
            for key, title in SECTION_TITLES.items()
        ],
    }


# The timeline as a file -----------------------------------------------------------------

TIMELINE_COLUMNS = ["Date", "Kind", "Who", "Text"]


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(12, 0, tzinfo=timezone.get_default_timezone())
    )


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def timeline_rows(kol: Kol) -> list[list[Any]]:
    """The whole timeline (what engagements.selectors.timeline pages through), newest first:
    touchpoints, gives, asks, stage changes and completed follow-ups. Five queries."""
    rows: list[tuple[datetime.datetime, list[Any]]] = []
    for t in Touchpoint.objects.filter(kol=kol).select_related("by"):
        text = _lines(t.summary, t.they_said and f"They said: {t.they_said}")
        rows.append((t.occurred_at, [t.occurred_at, t.get_kind_display(), _who(t.by), text]))
    for g in Give.objects.filter(kol=kol).select_related("by", "topic"):
        text = _lines(
            g.topic.name if g.topic else "", g.note, g.response and f"Response: {g.response}"
        )
        rows.append(
            (_noon(g.given_on), [g.given_on, f"Give: {g.get_kind_display()}", _who(g.by), text])
        )
    for a in Ask.objects.filter(kol=kol).select_related("by"):
        text = _lines(
            a.in_it_for_kol and f"In it for them: {a.in_it_for_kol}",
            a.outcome and f"Outcome: {a.outcome}",
        )
        rows.append(
            (_noon(a.asked_on), [a.asked_on, f"Ask: {a.get_kind_display()}", _who(a.by), text])
        )
    for c in StageChange.objects.filter(kol=kol).select_related("changed_by"):
        move = f"{c.get_from_stage_display() or 'Started'} → {c.get_to_stage_display()}"
        text = _lines(move, c.reason)
        rows.append((c.changed_at, [c.changed_at, "Stage change", _who(c.changed_by), text]))
    done = FollowUp.objects.filter(kol=kol, status=FollowUp.Status.DONE).exclude(done_at=None)
    for f in done.select_related("owner"):
        kind = f"Follow-up done: {f.get_kind_display()}"
        rows.append((f.done_at, [f.done_at, kind, _who(f.owner), f.text]))
    rows.sort(key=lambda row: row[0], reverse=True)
    return [row for _, row in rows]


def erase_preview(kol: Kol) -> dict[str, int]:
    """How many rows keep their place (kind, date, who) but lose their words."""
    # One count per kind: a single query joining them all would multiply the rows.
    return {
        "touchpoints": Touchpoint.objects.filter(kol=kol).count(),
        "follow_ups": FollowUp.objects.filter(kol=kol).count(),
        "gives": Give.objects.filter(kol=kol).count(),
        "asks": Ask.objects.filter(kol=kol).count(),
        "interests": Interest.objects.filter(kol=kol).count(),
        "goals": Goal.objects.filter(kol=kol).count(),
        "events": Event.objects.filter(attendees=kol).count(),
        "history": AuditEntry.objects.filter(kol=kol).count(),
    }
