"""Every URL of the project against every role: the role table of the foundation issue.

The URLs come from the resolver, so a new view is covered as soon as it is routed: until
it has a row in URLS (how to fill its parameters, which rule applies, a valid POST), the
first test fails naming it. The world is owned by MSL "owner" (team A):

- anonymous: a login redirect (htmx: an HX-Redirect to the login page), public pages aside;
- outsider: an MSL of team B; other_manager: the manager of team B;
- collaborator: a Collaborator row on owner's KOL (an MSL of team B, so other_manager
  must not see the KOL through them);
- owner; manager: the manager of team A (owner's team);
- newcomer: an MSL of team B until other_manager released them (their KOL stayed with
  team B), then invited to team A by manager and accepted: a second team's member;
- removed: an MSL of team A who collaborated on owner's KOL, removed by manager (their
  KOL handed to manager), in no team now, with a new invitation to team A waiting: every
  page but the public ones, signing out and their invitations is the no-team page (403; an
  htmx request gets HX-Refresh);
- deactivated: an MSL of team A whose account staff deactivated: their session no longer
  signs them in (a login redirect, like anonymous).

Who cannot see an object gets 404, who can see it but may not act gets 403, the others get
the page (or a redirect after a successful post). A method the view does not take is 405.
Each request runs in a savepoint that is rolled back, so a delete or a merge in one case
leaves the world as it was for the next. A refusal must not write to the database, and no
answer to someone who cannot see owner's KOL may name it or quote it.

Apart: an object of owner's KOL put under the outsider's own KOL's id (404), and the admin,
which has its own login.
"""

import datetime
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.middleware import SessionIdleMiddleware
from accounts.models import Membership, User
from contacts import imports
from contacts import services as contact_services
from contacts.models import Collaborator, Interest, Kol, Provenance
from engagements.models import Question
from engagements.services import followups as followup_services
from events.models import Event, Opportunity
from reminders.calendar import new_token
from reminders.models import DispatchRun
from reminders.tokens import unsubscribe_token
from reviews.services import invitations
from reviews.services import team as team_services
from reviews.tokens import invite_token
from tests.conftest import HTMX
from tests.engagements.factories import (
    AskFactory,
    EngagementPlanFactory,
    FollowUpFactory,
    GiveFactory,
    TouchpointFactory,
)
from tests.factories import (
    PASSWORD,
    GoalFactory,
    MembershipFactory,
    TeamFactory,
    TopicFactory,
    UserFactory,
)
from voice import services as voice_services
from voice.tokens import voice_token

ROLES = (
    "anonymous",
    "outsider",
    "collaborator",
    "owner",
    "other_manager",
    "manager",
    "newcomer",
    "removed",
    "deactivated",
)
METHODS = ("GET", "POST")
# Names no page may show to someone who cannot see owner's KOL.
KOL_NAME = "Dr Zebedee Quistgaard"
QUOTE = "Quistgaard-canary: the referral pathway is broken"
NEW_PASSWORD = "a-brand-new-pass-2026"

LOGIN = "login redirect"
OK = "page"
NO_TEAM = "the no-team page"
SIGNED_OUT = ("anonymous", "deactivated")
SIGNED_IN = [role for role in ROLES if role not in SIGNED_OUT]


def _outcomes(default: object = None, **by_role) -> dict[str, object]:
    """A rule's row of the role table: anonymous and deactivated always get the login page,
    removed (in no team) the no-team page, newcomer what any MSL outside owner's work gets
    (the outsider's outcome)."""
    row = {
        **dict.fromkeys(SIGNED_OUT, LOGIN),
        **dict.fromkeys(SIGNED_IN, default),
        "removed": NO_TEAM,
        "newcomer": by_role.get("outsider", default),
        **by_role,
    }
    assert None not in row.values(), "every role needs an outcome"
    return row


# The role table. "kol:*" rules are about owner's KOL (or an entry on it logged by owner).
RULES: dict[str, dict[str, object]] = {
    "public": dict.fromkeys(ROLES, OK),
    "signed in": _outcomes(OK),
    # Personal objects (import jobs, own questions): nobody else sees them, not even managers.
    "own object": _outcomes(404, owner=OK),
    # Operators' pages (Reminders health): staff only; nobody in the walk is staff.
    "staff": _outcomes(404),
    # Events and opportunities: everyone sees them, the creator (or staff) edits.
    "creator": _outcomes(403, owner=OK),
    "kol:view": _outcomes(outsider=404, other_manager=404, collaborator=OK, owner=OK, manager=OK),
    "kol:log": _outcomes(outsider=404, other_manager=404, collaborator=OK, owner=OK, manager=403),
    "kol:edit": _outcomes(outsider=404, other_manager=404, collaborator=403, owner=OK, manager=403),
    # An entry logged by owner: its author or the KOL's owner changes it.
    "kol:owner's entry": _outcomes(
        outsider=404, other_manager=404, collaborator=403, owner=OK, manager=403
    ),
    # Data-subject requests: the owner and the manager of the owner's team.
    "kol:data request": _outcomes(
        outsider=404, other_manager=404, collaborator=403, owner=OK, manager=OK
    ),
    "kol:manage": _outcomes(
        outsider=404, other_manager=404, collaborator=403, owner=403, manager=OK
    ),
    # Manager pages: any manager, for the teams they manage; MSLs get 404.
    "manager": _outcomes(outsider=404, collaborator=404, owner=404, other_manager=OK, manager=OK),
    # Manager pages about team A or its people: only team A's manager.
    "manager of team": _outcomes(
        outsider=404, collaborator=404, owner=404, other_manager=404, manager=OK
    ),
    # An invitation to team A waiting for removed's answer: only they answer it.
    "invitee": _outcomes(404, removed=OK),
}


World = SimpleNamespace
Build = Callable[[World], dict]


def _none(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Url:
    rule: str
    methods: tuple[str, ...] = ("GET",)
    kwargs: Build = _none
    query: Build = _none  # for GET
    data: Build = _none  # a valid POST, where the view takes one
    # Where a role's answer is not the rule's, with the reason in a comment at the row.
    overrides: dict[str, object] = field(default_factory=dict)


def _kol(world: World) -> dict:
    return {"pk": world.kol.pk}


def _undo_token(world: World) -> str:
    """An Undo as owner's done would leave it (the world's follow-up is open)."""
    done = followup_services.FollowUpState("done", world.followup.due_on, timezone.now())
    return followup_services.undo_token(followup=world.followup, before=done, by=world.owner)


def _today() -> str:
    return timezone.localdate().isoformat()


def _touchpoint_data(world: World) -> dict:
    occurred = timezone.localtime() - datetime.timedelta(hours=2)
    return {
        "occurred_at": occurred.strftime("%Y-%m-%d %H:%M"),
        "kind": "meeting",
        "summary": "Talked about the registry",
        "form_token": str(uuid.uuid4()),
    }


def _upload(world: World) -> dict:
    return {"file": SimpleUploadedFile("kols.csv", b"Name\nDr New Person\n", "text/csv")}


def _read_import(owner):
    """An uploaded file the worker has read: waiting for its column mapping."""
    data = f"Name\n{KOL_NAME}\n".encode()
    job = imports.import_receive(by=owner, file_name="kols.csv", data=data)
    imports.import_read(job_id=job.pk)
    job.refresh_from_db()
    return job


POST = ("POST",)
GET_POST = ("GET", "POST")

URLS: dict[str, Url] = {
    # --- Public (kolcrm.urls.public_urlpatterns; what they refuse: test_public_endpoints) ---
    "login": Url(
        "public", GET_POST, data=lambda w: {"username": w.owner.email, "password": PASSWORD}
    ),
    "password_reset": Url("public", GET_POST, data=lambda w: {"email": w.owner.email}),
    "password_reset_done": Url("public"),
    "password_reset_confirm": Url(
        "public",
        GET_POST,
        kwargs=lambda w: {"uidb64": w.reset_uid, "token": w.reset_token},
        data=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    "password_reset_complete": Url("public"),
    "health": Url("public"),
    "health_live": Url("public"),
    "unsubscribe": Url("public", GET_POST, kwargs=lambda w: {"token": w.unsubscribe_token}),
    "calendar_feed": Url("public", kwargs=lambda w: {"token": w.owner_calendar_token}),
    "team_join": Url(
        "public",
        GET_POST,
        kwargs=lambda w: {"token": w.invite_token},
        data=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    "kol_link": Url(
        "public",
        GET_POST,
        kwargs=lambda w: {"token": w.voice_token},
        data=lambda w: {"part": "interests", "goals": "Teach fellows"},
    ),
    # --- Accounts -------------------------------------------------------------------------
    "logout": Url("signed in", POST, overrides={"removed": OK}),  # someone in no team too
    "password_change": Url(
        "signed in",
        GET_POST,
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    "password_change_done": Url("signed in"),
    "preferences": Url(
        "signed in",
        GET_POST,
        data=lambda w: {
            "display_name": "Renamed Person",
            "time_zone": "Europe/Berlin",
            "digest_enabled": "on",
            "digest_time": "08:00",
            "thank_you_after_days": "3",
        },
    ),
    "home": Url("signed in", GET_POST),  # a RedirectView: any method goes to Today
    "sent_reminders": Url("signed in"),
    "digest_now": Url("signed in", POST),
    "reminders_health": Url("staff"),
    "email_links_stop": Url("signed in", POST),
    "calendar_link_create": Url("signed in", POST),
    "calendar_link_replace": Url("signed in", POST),
    # --- KOLs -----------------------------------------------------------------------------
    "contacts:kol_list": Url("signed in", query=lambda w: {"q": "Quistgaard"}),
    "contacts:kol_archived_list": Url("signed in"),
    "contacts:kol_create": Url(
        "signed in",
        GET_POST,
        data=lambda w: {"name": "Dr New Person", "cadence_days": 90, "stage": "establishing"},
    ),
    "contacts:kol_export_csv": Url("signed in"),
    "contacts:kol_export_xlsx": Url("signed in"),
    "kol:kol_detail": Url("kol:view", kwargs=_kol),
    "kol:kol_stage": Url("kol:view", kwargs=_kol),
    "kol:kol_interests": Url("kol:view", kwargs=_kol),
    "kol:kol_goals": Url("kol:view", kwargs=lambda w: {"pk": w.kol.pk, "whose": "kol"}),
    "contacts:kol_edit": Url(
        "kol:edit",
        GET_POST,
        kwargs=_kol,
        data=lambda w: {"name": KOL_NAME, "cadence_days": 60, "version": w.kol.version},
    ),
    "contacts:kol_archive": Url("kol:edit", POST, kwargs=_kol),
    "contacts:kol_restore": Url("kol:edit", POST, kwargs=_kol),
    "kol:kol_stage_change": Url(
        "kol:edit",
        POST,
        kwargs=_kol,
        data=lambda w: {"to_stage": "developing", "reason": "", "version": w.kol.version},
    ),
    "kol:interest_add": Url(
        "kol:log",
        POST,
        kwargs=_kol,
        data=lambda w: {"kind": "speaking", "provenance": "stated", "stated_on": _today()},
    ),
    "kol:interest_edit": Url(
        "kol:owner's entry",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "interest_pk": w.interest.pk},
        data=lambda w: {
            f"interest{w.interest.pk}-kind": "publications",
            f"interest{w.interest.pk}-provenance": "stated",
        },
    ),
    "kol:interest_delete": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "interest_pk": w.interest.pk},
    ),
    "kol:goal_add": Url(
        "kol:edit",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "whose": "ours"},
        data=lambda w: {
            "ourgoal-whose": "ours",
            "ourgoal-area": "medical",
            "ourgoal-text": "Learn how referrals work",
            "ourgoal-status": "open",
            "ourgoal-in_it_for_kol": "A talk",
        },
    ),
    "kol:goal_edit": Url(
        "kol:edit",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "goal_pk": w.goal.pk},
        data=lambda w: {
            f"goal{w.goal.pk}-whose": "kol",
            f"goal{w.goal.pk}-area": "medical",
            f"goal{w.goal.pk}-text": "Publish",
            f"goal{w.goal.pk}-status": "open",
            f"goal{w.goal.pk}-provenance": "stated",
        },
    ),
    "kol:goal_delete": Url(
        "kol:edit", POST, kwargs=lambda w: {"pk": w.kol.pk, "goal_pk": w.goal.pk}
    ),
    "kol:collaborator_add": Url(
        "kol:edit",
        POST,
        kwargs=_kol,
        data=lambda w: {"user": w.teammate.pk, "role": "medical_director"},
    ),
    "kol:collaborator_remove": Url(
        "kol:edit",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "collaborator_pk": w.collaboration.pk},
    ),
    "contacts:merge_pick": Url("kol:edit", kwargs=_kol),
    "contacts:merge": Url(
        "kol:edit",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "other_pk": w.kol2.pk},
        data=lambda w: {"survivor": w.kol.pk, "confirm": "on"},
    ),
    "contacts:import_upload": Url("signed in", GET_POST, data=_upload),
    "contacts:import_mapping": Url(
        "own object",
        GET_POST,
        kwargs=lambda w: {"pk": w.import_job.pk},
        data=lambda w: {"col_0": "name", "start": "1"},
    ),
    "contacts:import_progress": Url("own object", kwargs=lambda w: {"pk": w.import_job.pk}),
    "contacts:import_try_again": Url("own object", POST, kwargs=lambda w: {"pk": w.import_job.pk}),
    "contacts:import_skipped_csv": Url("own object", kwargs=lambda w: {"pk": w.import_job.pk}),
    # --- Touchpoints, follow-ups, ledger, plan, prep ---------------------------------------
    "engagements:touchpoint_new": Url(
        "kol:log",
        GET_POST,
        query=lambda w: {"kol": w.kol.pk},
        data=lambda w: {"kol": w.kol.pk, **_touchpoint_data(w)},
    ),
    "kol:kol_timeline": Url("kol:view", kwargs=_kol),
    "privacy:kol_timeline_csv": Url("kol:view", kwargs=_kol),
    "kol:touchpoint_add": Url("kol:log", POST, kwargs=_kol, data=_touchpoint_data),
    "kol:touchpoint_edit": Url(
        "kol:owner's entry",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "touchpoint_pk": w.touchpoint.pk},
        data=lambda w: {
            **_touchpoint_data(w),
            "they_said": QUOTE,
            "version": w.touchpoint.version,
        },
    ),
    "kol:touchpoint_delete": Url(
        "kol:owner's entry",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "touchpoint_pk": w.touchpoint.pk},
    ),
    "kol:kol_followups": Url("kol:view", kwargs=_kol),
    "kol:followup_add": Url(
        "kol:log",
        POST,
        kwargs=_kol,
        data=lambda w: {
            "followup-kind": "other",
            "followup-text": "Call back",
            "followup-due_on": _today(),
        },
    ),
    # Follow-ups: their owner or the KOL's owner acts on them (this one is owner's).
    "kol:followup_done": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "followup_pk": w.followup.pk},
    ),
    "kol:followup_skip": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "followup_pk": w.followup.pk},
    ),
    "kol:followup_snooze": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "followup_pk": w.followup.pk},
        data=lambda w: {"days": "7"},
    ),
    "kol:followup_undo": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "followup_pk": w.followup.pk},
        data=lambda w: {"token": _undo_token(w)},
    ),
    "kol:followup_reopen": Url(
        "kol:owner's entry",
        POST,
        kwargs=lambda w: {"pk": w.kol.pk, "followup_pk": w.followup.pk},
        data=lambda w: {
            f"reopen-{w.followup.pk}-text": "Again",
            f"reopen-{w.followup.pk}-due_on": _today(),
        },
        overrides={"owner": 409},  # the world's follow-up is open: nothing to reopen
    ),
    "engagements:today": Url("signed in"),
    "kol:kol_ledger": Url("kol:view", kwargs=_kol),
    "kol:give_add": Url(
        "kol:log",
        POST,
        kwargs=_kol,
        data=lambda w: {
            "give-kind": "literature",
            "give-given_on": _today(),
            "give-note": "A literature summary",
        },
    ),
    "kol:give_edit": Url(
        "kol:owner's entry",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "give_pk": w.give.pk},
        data=lambda w: {
            f"give{w.give.pk}-kind": "literature",
            f"give{w.give.pk}-given_on": _today(),
            f"give{w.give.pk}-note": "A better literature summary",
        },
    ),
    "kol:give_delete": Url(
        "kol:owner's entry", POST, kwargs=lambda w: {"pk": w.kol.pk, "give_pk": w.give.pk}
    ),
    "kol:ask_add": Url(
        "kol:log",
        POST,
        kwargs=_kol,
        data=lambda w: {
            "ask-kind": "advisory_board",
            "ask-in_it_for_kol": "Shapes the trial design",
            "ask-asked_on": _today(),
        },
    ),
    "kol:ask_edit": Url(
        "kol:owner's entry",
        GET_POST,
        kwargs=lambda w: {"pk": w.kol.pk, "ask_pk": w.ask.pk},
        data=lambda w: {
            f"ask{w.ask.pk}-kind": "speaking",
            f"ask{w.ask.pk}-in_it_for_kol": "A talk at the congress",
            f"ask{w.ask.pk}-asked_on": _today(),
        },
    ),
    "kol:ask_delete": Url(
        "kol:owner's entry", POST, kwargs=lambda w: {"pk": w.kol.pk, "ask_pk": w.ask.pk}
    ),
    "kol:kol_plan": Url("kol:view", kwargs=_kol),
    "kol:plan_edit": Url(
        "kol:edit",
        GET_POST,
        kwargs=_kol,
        data=lambda w: {"objectives": "Two talks a year", "version": w.plan.version},
    ),
    "engagements:prep_brief": Url("kol:view", kwargs=_kol),
    "voice:link_create": Url("kol:log", POST, kwargs=_kol, data=lambda w: {"ask_interests": "on"}),
    "voice:link_revoke": Url(
        "kol:log", POST, kwargs=lambda w: {"pk": w.kol.pk, "link_pk": w.voice_link.pk}
    ),
    "privacy:kol_data_json": Url("kol:data request", kwargs=_kol),
    "privacy:kol_data": Url("kol:data request", kwargs=_kol),
    "privacy:kol_erase": Url(
        "kol:edit", GET_POST, kwargs=_kol, data=lambda w: {"confirm_name": KOL_NAME}
    ),
    # --- Questions, events, opportunities, search ---------------------------------------
    "engagements:questions": Url("signed in"),
    "engagements:question_add": Url(
        "signed in",
        POST,
        data=lambda w: {"purpose": "challenges", "text": "Which patients do you refer late?"},
    ),
    "engagements:question_remove": Url(
        "own object", POST, kwargs=lambda w: {"question_pk": w.question.pk}
    ),
    "events:event_list": Url("signed in"),
    "events:event_create": Url(
        "signed in",
        GET_POST,
        data=lambda w: {"name": "ESC Congress", "starts_on": _today(), "ends_on": _today()},
    ),
    "events:event_detail": Url("signed in", kwargs=lambda w: {"pk": w.event.pk}),
    "events:event_edit": Url(
        "creator",
        GET_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        data=lambda w: {"name": "ESC Congress 2026", "starts_on": _today(), "ends_on": _today()},
    ),
    "events:opportunity_list": Url("signed in"),
    "events:opportunity_create": Url(
        "signed in", GET_POST, data=lambda w: {"kind": "speaking", "title": "A talk"}
    ),
    "events:opportunity_detail": Url("signed in", kwargs=lambda w: {"pk": w.opportunity.pk}),
    "events:opportunity_edit": Url(
        "creator",
        GET_POST,
        kwargs=lambda w: {"pk": w.opportunity.pk},
        data=lambda w: {"kind": "speaking", "title": "A keynote"},
    ),
    "search:search": Url("signed in", query=lambda w: {"q": "Quistgaard"}),
    # --- Manager pages (/team/) ---------------------------------------------------------
    "reviews:overview": Url("manager"),
    "reviews:desk": Url("manager"),
    "reviews:overview_csv": Url("manager"),
    "reviews:board": Url("manager"),
    "reviews:board_csv": Url("manager"),
    "reviews:flow": Url("manager"),
    "reviews:hearing": Url("manager"),
    "reviews:team": Url("manager"),
    "kol:review_add": Url("kol:manage", POST, kwargs=_kol, data=lambda w: {"verdict": "agree"}),
    "reviews:team_invite": Url(
        "manager of team",
        POST,
        data=lambda w: {
            "display_name": "Nina New",
            "email": "nina@example.test",
            "role": "msl",
            "team": w.team_a.pk,
        },
        # Team A is not among their choices: the form refuses it (422) and nothing is written.
        overrides={"other_manager": 422},
    ),
    "reviews:team_role": Url(
        "manager of team",
        POST,
        kwargs=lambda w: {"team_id": w.team_a.pk, "user_id": w.owner.pk},
        data=lambda w: {"role": "manager", "on": "1"},
    ),
    "reviews:team_remove": Url(
        "manager of team",
        GET_POST,
        kwargs=lambda w: {"team_id": w.team_a.pk, "user_id": w.owner.pk},
    ),
    "reviews:reassign": Url(
        "manager of team",
        GET_POST,
        query=lambda w: {"from": w.owner.pk},
        data=lambda w: {"from": w.owner.pk, "to": w.teammate.pk, "kols": [w.kol.pk]},
    ),
    "reviews:invitation_revoke": Url(
        "manager of team", POST, kwargs=lambda w: {"pk": w.removed_invitation.pk}
    ),
    # The invited person's side: open to someone in no team (removed has one waiting).
    "reviews:invitations": Url("signed in", overrides={"removed": OK}),
    "reviews:invitation_answer": Url(
        "invitee",
        POST,
        kwargs=lambda w: {"pk": w.removed_invitation.pk},
        data=lambda w: {"answer": "accept"},
    ),
}


# --- The URLs the project routes ------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield route, name


def routed_urls() -> dict[str, str]:
    """url name -> route, for every pattern outside the admin."""
    found: dict[str, str] = {}
    for route, name in _walk(get_resolver()):
        if route.startswith("admin/"):
            continue
        assert name, f"The URL {route!r} has no name: name it and add it to URLS"
        found.setdefault(name, route)
    return found


def test_every_routed_url_is_in_the_table():
    routed = set(routed_urls())
    missing = sorted(routed - set(URLS))
    stale = sorted(set(URLS) - routed)
    assert not missing, f"Routed but not in URLS (add a row: kwargs, rule, POST data): {missing}"
    assert not stale, f"In URLS but no longer routed (remove the row): {stale}"


def test_the_table_uses_known_rules_and_methods():
    for name, url in URLS.items():
        assert url.rule in RULES, name
        assert set(url.methods) <= set(METHODS), name
        assert set(url.overrides) <= set(ROLES), name


def test_public_rows_are_exactly_the_public_urlpatterns():
    from kolcrm.urls import public_urlpatterns

    public = {pattern.name for pattern in public_urlpatterns}
    assert {name for name, url in URLS.items() if url.rule == "public"} == public


# --- The world ------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> World:
    team_a, team_b = TeamFactory(name="Team A"), TeamFactory(name="Team B")

    def person(email: str, name: str, team, role=Membership.Role.MSL) -> User:
        user = UserFactory(email=email, display_name=name)
        MembershipFactory(team=team, user=user, role=role)
        return user

    owner = person("owner@example.test", "Olivia Owner", team_a)
    teammate = person("teammate@example.test", "Tom Teammate", team_a)
    manager = person("manager@example.test", "Mona Manager", team_a, Membership.Role.MANAGER)
    outsider = person("outsider@example.test", "Otto Outsider", team_b)
    collaborator = person("collab@example.test", "Cleo Collaborator", team_b)
    other_manager = person("other@example.test", "Max Other", team_b, Membership.Role.MANAGER)

    kol = contact_services.kol_create(
        by=owner,
        data={"name": KOL_NAME, "institution": "St Elsewhere", "cadence_days": 90},
    )
    kol2 = Kol.objects.create(name="Dr Zeb Quistgard", owner=owner)  # a duplicate to merge
    collaboration = Collaborator.objects.create(kol=kol, user=collaborator)
    topic = TopicFactory(name="Heart failure registries")
    interest = Interest.objects.create(
        kol=kol,
        kind=Interest.Kind.SPEAKING,
        topic=topic,
        provenance=Provenance.STATED,
        stated_on=timezone.localdate(),
        created_by=owner,
    )
    event = Event.objects.create(
        name="HFA Congress",
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
        ends_on=timezone.localdate() - datetime.timedelta(days=8),
        created_by=owner,
    )
    event.topics.add(topic)
    event.attendees.add(kol)
    opportunity = Opportunity.objects.create(
        kind=Opportunity.Kind.SPEAKING, title="Registry symposium", created_by=owner
    )
    opportunity.topics.add(topic)

    invitation = invitations.member_invite(
        by=manager, team=team_a, email="invitee@example.test", display_name="Ivy", role="msl"
    )
    outsider_kol = Kol.objects.create(name="Dr Outsider's Own", owner=outsider)

    # A second team's member: released by team B's manager, then joined team A.
    newcomer = person("newcomer@example.test", "Nat Newcomer", team_b)
    Kol.objects.create(name="Dr Newcomer's Former", owner=newcomer)
    team_services.member_remove(
        by=other_manager, team=team_b, user=newcomer, hand_over_to=other_manager
    )
    joined = invitations.member_invite(
        by=manager, team=team_a, email=newcomer.email, display_name="", role="msl"
    )
    invitations.invitation_accept(invitation=joined, user=newcomer)
    # Removed from team A (their KOL stays with the team), invited again, not answered yet.
    removed = person("removed@example.test", "Rita Removed", team_a)
    Kol.objects.create(name="Dr Removed's Former", owner=removed)
    Collaborator.objects.create(kol=kol, user=removed)
    team_services.member_remove(by=manager, team=team_a, user=removed, hand_over_to=manager)
    removed_invitation = invitations.member_invite(
        by=manager, team=team_a, email=removed.email, display_name="", role="msl"
    )
    deactivated = person("deactivated@example.test", "Dan Deactivated", team_a)
    deactivated.is_active = False  # staff, in the admin
    deactivated.save(update_fields=["is_active"])
    owner.calendar_token = new_token()
    owner.save(update_fields=["calendar_token"])
    # The KOL agreed to email and has a personal link (voice/).
    Kol.objects.filter(pk=kol.pk).update(email_consent=True)
    kol.refresh_from_db()
    voice_link = voice_services.link_create(
        kol=kol, by=owner, ask_interests=True, share_plan=False, gives=[]
    )
    cache.clear()  # the link page's rate limits count in the cache

    # Reminders flow (a dispatch just finished): /health/ answers its page, 200.
    DispatchRun.objects.create(pk=1, finished_at=timezone.now())
    return World(
        team_a=team_a,
        team_b=team_b,
        owner=owner,
        teammate=teammate,
        kol=kol,
        kol2=kol2,
        outsider_kol=outsider_kol,
        removed_invitation=removed_invitation,
        collaboration=collaboration,
        interest=interest,
        goal=GoalFactory(kol=kol),
        touchpoint=TouchpointFactory(kol=kol, by=owner, they_said=QUOTE),
        followup=FollowUpFactory(kol=kol, owner=owner),
        give=GiveFactory(kol=kol, by=owner),
        ask=AskFactory(kol=kol, by=owner),
        plan=EngagementPlanFactory(kol=kol),
        import_job=_read_import(owner),
        question=Question.objects.create(
            owner=owner, purpose=Question.Purpose.CHALLENGES, text="What slows referrals?"
        ),
        event=event,
        opportunity=opportunity,
        users={
            "anonymous": None,
            "outsider": outsider,
            "collaborator": collaborator,
            "owner": owner,
            "other_manager": other_manager,
            "manager": manager,
            "newcomer": newcomer,
            "removed": removed,
            "deactivated": deactivated,
        },
        reset_uid=urlsafe_base64_encode(force_bytes(owner.pk)),
        reset_token=default_token_generator.make_token(owner),
        unsubscribe_token=unsubscribe_token(owner, "digest"),
        owner_calendar_token=owner.calendar_token,
        invite_token=invite_token(invitation),
        voice_link=voice_link,
        voice_token=voice_token(voice_link),
    )


def _session_keys(world: World) -> dict[str, str | None]:
    """A signed-in session per role, made as a login makes it (without a request per role)."""
    keys = {}
    engine = import_module(settings.SESSION_ENGINE)
    for role, user in world.users.items():
        if user is None:
            keys[role] = None
            continue
        session = engine.SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SessionIdleMiddleware.KEY] = int(time.time())  # as a login sets it
        session.create()
        keys[role] = session.session_key
    return keys


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


# --- The walk -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    writes: list[str]


def _ask(session_key: str | None, method: str, path: str, data: dict, htmx: bool) -> Answer:
    """One request in a savepoint that is rolled back: the next case sees the same world."""
    client = Client()  # fresh: a login or logout in one case must not carry over
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    extra = HTMX if htmx else {}
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        send = client.get if method == "GET" else client.post
        response = send(path, data, **extra)
        # A streamed file reads the database as it streams: read it inside the savepoint.
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    return Answer(
        status=response.status_code,
        headers=dict(response.headers),
        body=raw.decode("utf-8", errors="replace"),
        writes=_writes(queries.captured_queries),
    )


def _expected(url: Url, role: str, method: str) -> object:
    if url.rule != "public" and role in SIGNED_OUT:
        return LOGIN  # the middleware answers before the view looks at the method
    outcome = url.overrides.get(role, RULES[url.rule][role])
    if outcome == NO_TEAM:
        return NO_TEAM  # so does the no-team middleware
    if method not in url.methods:
        return 405
    return outcome


def _problem(expected: object, answer: Answer, htmx: bool, login_url: str) -> str | None:
    status, location = answer.status, answer.headers.get("Location", "")
    if expected == LOGIN:
        if htmx:
            target = answer.headers.get("HX-Redirect", "")
            if not target.startswith(login_url):
                return f"got {status} without an HX-Redirect to the login page"
        elif status != 302 or not location.startswith(login_url):
            return f"got {status} {location}".strip()
        return None
    if expected == NO_TEAM:
        if htmx:
            if answer.headers.get("HX-Refresh") != "true":
                return f"got {status} without HX-Refresh"
        elif status != 403 or "You are not in a team" not in answer.body:
            return f"got {status} {location}".strip()
        return None
    if expected == OK:
        if not 200 <= status < 400:
            return f"got {status}: {answer.body[:300]!r}"
        sign_in_again = f"{login_url}?next="
        if location.startswith(sign_in_again) or answer.headers.get("HX-Redirect", "").startswith(
            sign_in_again
        ):
            return f"got sent to the login page ({status} {location})"
        return None
    if status != expected:
        return f"got {status} {location}".strip()
    return None


CASES_CHECKED: list[tuple] = []  # (url name, role, method, htmx) of every request made


@pytest.fixture(scope="module", autouse=True)
def report_the_count():
    """`pytest -s` prints how many cases the walk checked (the figure to quote)."""
    yield
    walk = [case for case in CASES_CHECKED if case[1] in ROLES]
    if walk:
        urls = len({case[0] for case in walk})
        print(
            f"\nURL walk: checked {len(walk)} cases ({urls} URLs x {len(ROLES)} roles x "
            f"GET/POST x plain/htmx), plus {len(CASES_CHECKED) - len(walk)} with an object "
            "of owner's KOL under the outsider's own KOL"
        )
    CASES_CHECKED.clear()


@pytest.mark.parametrize("name", sorted(URLS))
def test_each_role_gets_what_the_role_table_says(world, name):
    url = URLS[name]
    path = reverse(name, kwargs=url.kwargs(world))
    login_url = reverse("login")
    sessions = _session_keys(world)
    failures = []
    for role in ROLES:
        for method in METHODS:
            for htmx in (False, True):
                data = url.query(world) if method == "GET" else url.data(world)
                case = f"{name} {role} {method} {'htmx' if htmx else 'plain'}"
                expected = _expected(url, role, method)
                CASES_CHECKED.append((name, role, method, htmx))
                try:
                    answer = _ask(sessions[role], method, path, data, htmx)
                except Exception as error:  # a 500 in production
                    failures.append(f"{case}: expected {expected}, raised {error!r}")
                    continue
                problem = _problem(expected, answer, htmx, login_url)
                if problem:
                    failures.append(f"{case}: expected {expected}, {problem}")
                    continue
                if expected != OK and answer.writes:
                    failures.append(f"{case}: refused ({answer.status}) but wrote {answer.writes}")
                sees_kol = url.rule == "public" or RULES["kol:view"][role] == OK
                if not sees_kol and (KOL_NAME in answer.body or QUOTE in answer.body):
                    failures.append(f"{case}: shows owner's KOL to someone who cannot see it")
    assert not failures, "\n".join(failures)


def test_our_views_take_no_put_patch_or_delete(world):
    """Nothing of ours is built on other methods: a 405 everywhere. (Django's own views are
    left out: its form views treat PUT as POST, its RedirectView redirects any method.)"""
    sessions = _session_keys(world)
    failures = []
    for name, url in sorted(URLS.items()):
        path = reverse(name, kwargs=url.kwargs(world))
        if resolve(path).func.__module__.startswith("django."):
            continue
        for method in ("put", "patch", "delete"):
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions["owner"]
            with transaction.atomic():
                status = getattr(client, method)(path).status_code
                transaction.set_rollback(True)
            if status != 405:
                failures.append(f"{name} {method.upper()}: {status}")
    assert not failures, "\n".join(failures)


# Past any integer column; not a number, with a NUL (PostgreSQL refuses those); a digit to
# str.isdigit() that int() refuses.
ODD_VALUES = ["99999999999999999999", "-1x\x00<b>", "²"]
QUERY_NAMES = [
    "page", "q", "kind", "stage", "owner", "sort", "area", "topic", "msl", "team", "period",
    "check_in", "suggested", "criticism", "from", "select", "kol", "give_kind", "due",
    "check_ins", "upcoming", "next",
]  # fmt: skip


def test_odd_query_values_and_ids_never_give_a_500(world):
    """Hand-edited addresses: every GET with odd filter values, every id out of range."""
    sessions = _session_keys(world)
    failures = []
    for name, url in sorted(URLS.items()):
        # The role the page is for: owner, or team A's manager for the manager pages.
        role = "manager" if url.rule in {"manager", "manager of team", "kol:manage"} else "owner"
        kwargs = url.kwargs(world)
        if "GET" in url.methods:
            path = reverse(name, kwargs=kwargs)
            for value in ODD_VALUES:
                query = url.query(world) | dict.fromkeys(QUERY_NAMES, value)
                try:
                    status = _ask(sessions[role], "GET", path, query, htmx=False).status
                except Exception as error:
                    status = repr(error)
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{name} GET ?…={value}: {status}")
        method = url.methods[-1]  # POST where the view takes it: the path that writes
        for key in [k for k, v in kwargs.items() if isinstance(v, int)]:
            path = reverse(name, kwargs=kwargs | {key: 2**63})
            data = url.query(world) if method == "GET" else url.data(world)
            try:
                status = _ask(sessions[role], method, path, data, htmx=False).status
            except Exception as error:
                status = repr(error)
            if status != 404:
                failures.append(f"{name} {method} with {key}=2**63: {status}")
    assert not failures, "\n".join(failures)


def test_the_canaries_show_to_those_who_may_see_the_kol(world):
    """The leak check above looks for these strings: they must be what the pages show."""
    sessions = _session_keys(world)
    for role in ("owner", "collaborator", "manager"):
        for name, canary in [
            ("contacts:kol_list", KOL_NAME),
            ("search:search", KOL_NAME),
            ("kol:kol_timeline", QUOTE),
        ]:
            url = URLS[name]
            path = reverse(name, kwargs=url.kwargs(world))
            answer = _ask(sessions[role], "GET", path, url.query(world), htmx=False)
            assert canary in answer.body, (role, name, canary)


def test_each_teams_kols_stay_with_that_team(world):
    """newcomer's KOL stayed with team B when its manager released them; removed's stayed
    with team A (now manager's): who sees each afterwards."""
    sessions = _session_keys(world)
    newcomers = Kol.objects.get(name="Dr Newcomer's Former")
    removeds = Kol.objects.get(name="Dr Removed's Former")
    expected = {
        ("other_manager", newcomers): 200,
        ("newcomer", newcomers): 404,
        ("manager", newcomers): 404,
        ("manager", removeds): 200,
        ("other_manager", removeds): 404,
        ("removed", removeds): 403,  # the no-team page
    }
    for (role, kol), status in expected.items():
        path = reverse("kol:kol_detail", kwargs={"pk": kol.pk})
        answer = _ask(sessions[role], "GET", path, {}, htmx=False)
        assert answer.status == status, (role, kol.name, answer.status)


def _nested(world: World) -> list[str]:
    """URLs that take a KOL and an object on it (or a second KOL)."""
    return sorted(
        name
        for name, url in URLS.items()
        if "pk" in (kwargs := url.kwargs(world)) and any(k.endswith("_pk") for k in kwargs)
    )


def test_an_object_of_owners_kol_under_the_outsiders_own_kol_is_404(world):
    """The outsider may act on their own KOL: putting its id in front of owner's goal,
    touchpoint, give ... (or merging owner's KOL into theirs) must still be 404."""
    sessions = _session_keys(world)
    names = _nested(world)
    assert len(names) >= 15, names
    failures = []
    for name in names:
        url = URLS[name]
        kwargs = url.kwargs(world) | {"pk": world.outsider_kol.pk}
        path = reverse(name, kwargs=kwargs)
        for method in url.methods:
            data = url.query(world) if method == "GET" else url.data(world)
            answer = _ask(sessions["outsider"], method, path, data, htmx=False)
            if answer.status != 404 or answer.writes:
                failures.append(f"{name} {method}: {answer.status} {answer.writes}")
            CASES_CHECKED.append((name, "outsider on own KOL", method, False))
    assert not failures, "\n".join(failures)


# --- The admin: its own login, staff only ---------------------------------------------------


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_the_admin_sends_anonymous_and_non_staff_users_to_a_login_page(world):
    sessions = _session_keys(world)
    # Anonymous: the admin's own login, or (for model pages, which the site's login middleware
    # catches first) the site's; a signed-in non-staff user: the admin's login, never a page.
    logins = {
        "anonymous": (reverse("admin:login"), reverse("login")),
        "owner": (reverse("admin:login"),),
        "manager": (reverse("admin:login"),),
    }
    checked = 0
    for role, targets in logins.items():
        for path in _admin_urls():
            for method in METHODS:
                answer = _ask(sessions[role], method, path, {}, htmx=False)
                where = (role, method, path, answer.status, answer.headers.get("Location"))
                assert answer.status == 302, where
                assert answer.headers["Location"].startswith(targets), where
                assert not answer.writes, where
                checked += 1
    assert User.objects.filter(is_staff=True).count() == 0
    print(f"\nAdmin: checked {checked} cases")


def test_the_admin_login_refuses_a_non_staff_user(world):
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": world.owner.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert "_auth_user_id" not in client.session
