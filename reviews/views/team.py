"""Manager page: the people of my teams (invite, roles, removal) and reassigning KOLs.

The invited person's side is reviews.views.invitations.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Membership, Team, User
from common.rendering import INVALID, render_page_or_part
from contacts.models import AuditEntry, Kol
from contacts.selectors import shared_history
from reviews.access import get_team_for_manager, require_manager
from reviews.forms.team import InviteForm, ReassignForm, RemoveForm, RoleForm
from reviews.models import Invitation
from reviews.services import invitations as invitation_services
from reviews.services import team as services
from reviews.views.invitations import open_invitations

TEAM_HISTORY_SHOWN = 20


@dataclass
class Person:
    user: User
    roles: set[str] = field(default_factory=set)
    kols: int = 0
    only_manager: bool = False

    @property
    def is_manager(self) -> bool:
        return Membership.Role.MANAGER in self.roles

    @property
    def never_joined(self) -> bool:
        return invitation_services.never_joined(self.user)


@dataclass
class TeamPeople:
    team: Team
    people: list[Person]
    invitations: list[Invitation] = field(default_factory=list)
    history: list[AuditEntry] = field(default_factory=list)


def _team_people(teams: list[Team]) -> list[TeamPeople]:
    """Each team's people with their roles and active KOL counts, its open invitations and
    its latest History: four queries, and one more per team for the History."""
    memberships = (
        Membership.objects.filter(team__in=teams)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    by_team: dict[int, dict[int, Person]] = {team.pk: {} for team in teams}
    for membership in memberships:
        person = by_team[membership.team_id].setdefault(
            membership.user_id, Person(user=membership.user)
        )
        person.roles.add(membership.role)
    user_ids = {pk for people in by_team.values() for pk in people}
    counts = dict(
        Kol.objects.filter(owner_id__in=user_ids, is_archived=False)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    invitations: dict[int, list[Invitation]] = {team.pk: [] for team in teams}
    for invitation in open_invitations(team__in=teams).select_related("user", "invited_by"):
        invitations[invitation.team_id].append(invitation)
    groups = []
    for team in teams:
        people = list(by_team[team.pk].values())
        managers = [person for person in people if person.is_manager]
        for person in people:
            person.kols = counts.get(person.user.pk, 0)
            person.only_manager = managers == [person]
        history = shared_history(services.TEAM_HISTORY, team.pk, limit=TEAM_HISTORY_SHOWN)
        groups.append(TeamPeople(team, people, invitations[team.pk], history))
    return groups


def _render_team(request: HttpRequest, teams: list[Team], form: InviteForm, status: int = 200):
    context = {"groups": _team_people(teams), "form": form, "role_choices": Membership.Role}
    return render(request, "reviews/team.html", context, status=status)


def _member(request: HttpRequest, team_id: int, user_id: int) -> tuple[Team, User]:
    team = get_team_for_manager(request.user, team_id)
    user = get_object_or_404(User.objects.filter(memberships__team=team).distinct(), pk=user_id)
    return team, user


def _back_to_team(request: HttpRequest) -> HttpResponse:
    # Someone who just gave up their last manager role can no longer open the team page.
    still_manager = Membership.objects.filter(
        user=request.user, role=Membership.Role.MANAGER
    ).exists()
    target = reverse("reviews:team") if still_manager else reverse("home")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_GET
def team(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    return _render_team(request, teams, InviteForm(teams=teams))


@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form = InviteForm(request.POST, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_services.member_invite(
                by=request.user,
                team=data["team"],
                email=data["email"],
                display_name=data["display_name"],
                role=data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            sent = invitation_services.invitation_send(invitation=invitation)
            user, role = invitation.user, services.ROLE_PHRASES[data["role"]]
            if invitation_services.never_joined(user):
                text = f"{user} was invited to {data['team']} as {role}."
            else:
                text = (
                    f"{user} already has an account: they join {data['team']} as {role} "
                    "once they accept the invitation."
                )
            messages.success(request, text)
            if sent:
                messages.info(request, f"We emailed {user.email} an invitation.")
            else:
                messages.warning(
                    request,
                    f"The invitation email to {user.email} could not be sent. "
                    "Invite them again later to resend it.",
                )
            return redirect("reviews:team")
    return _render_team(request, teams, form, status=INVALID)


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    teams = require_manager(request)
    invitation = get_object_or_404(Invitation.objects.select_related("user"), pk=pk, team__in=teams)
    try:
        invitation_services.invitation_revoke(by=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"The invitation of {invitation.user} was withdrawn: its link no longer works."
        )
    return _back_to_team(request)


@require_POST
def set_role(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    require_manager(request)
    team, user = _member(request, team_id, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That role change was not understood: nothing was changed.")
        return _back_to_team(request)
    role, on = form.cleaned_data["role"], form.cleaned_data["on"]
    try:
        services.member_set_role(by=request.user, team=team, user=user, role=role, on=on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        phrase = services.ROLE_PHRASES[role]
        if on:
            messages.success(request, f"{user} is now {phrase} in {team}.")
        else:
            messages.success(request, f"{user} is no longer {phrase} in {team}.")
    return _back_to_team(request)


def _removed_text(user: User, team: Team, done: services.Removal) -> str:
    text = f"{user} was removed from {team}."
    if done.kols:
        text += f" Their {done.kols} KOL{pluralize(done.kols)} now belong to {done.to}."
    if done.collaborations:
        n = done.collaborations
        text += f" They no longer work with {n} KOL{pluralize(n)} of {team}."
    return text


@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    require_manager(request)
    team, user = _member(request, team_id, user_id)
    heirs = (
        User.objects.filter(memberships__team=team, is_active=True)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name", "email")
    )
    me = request.user if request.user.pk != user.pk else None
    data = request.POST if request.method == "POST" else None
    form = RemoveForm(data, heirs=heirs, initial={"to": me})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            heir = form.cleaned_data["to"] or me
            try:
                done = services.member_remove(
                    by=request.user, team=team, user=user, hand_over_to=heir
                )
            except ValidationError as error:
                if request.htmx:  # the people page's one-click removal
                    messages.error(request, " ".join(error.messages))
                    return _back_to_team(request)
                form.add_error(None, error)
            else:
                messages.success(request, _removed_text(user, team, done))
                return _back_to_team(request)
        status = INVALID
    # A plain link (no JavaScript, or someone who still owns KOLs) asks here first.
    context = {
        "confirm_remove": True,
        "team": team,
        "person": user,
        "form": form,
        "kols": Kol.objects.filter(owner=user).count(),
        "keeps_another_team": services.keeps_another_team(user=user, team=team),
        "only_manager": services.is_last_manager(team=team, user=user),
    }
    return render(request, "reviews/team.html", context, status=status)


def _parse_id(value: str | None) -> int | None:
    # isascii: "²" passes isdigit() but int() refuses it (a 500).
    return int(value) if value and value.isascii() and value.isdigit() else None


@require_http_methods(["GET", "POST"])
def reassign(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    members = User.objects.filter(memberships__team__in=teams).distinct()
    data = request.POST if request.method == "POST" else request.GET
    raw_source = data.get("from", "")
    source_id = _parse_id(raw_source)
    if source_id is None:
        sources = members.annotate(
            active_kols=Count("owned_kols", filter=Q(owned_kols__is_archived=False), distinct=True)
        ).order_by("display_name", "email")
        context = {"sources": sources, "not_understood": bool(raw_source)}
        return render(request, "reviews/reassign.html", context)
    source = get_object_or_404(members, pk=source_id)
    targets = (
        User.objects.filter(
            is_active=True, memberships__team__in=teams, memberships__role=Membership.Role.MSL
        )
        .exclude(pk=source.pk)
        .distinct()
        .order_by("display_name", "email")
    )
    kols = Kol.objects.filter(owner=source, is_archived=False).order_by("name", "pk")
    status = 200
    if request.method == "POST":
        target_id = _parse_id(request.POST.get("to"))
        if target_id is not None and not members.filter(pk=target_id).exists():
            raise Http404("Not one of your teams' people.")
        form = ReassignForm(request.POST, kols=kols, targets=targets)
        if form.is_valid():
            target = form.cleaned_data["to"]
            try:
                done = services.kols_reassign(
                    by=request.user, source=source, target=target, kols=form.cleaned_data["kols"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                text = f"{done.kols} KOL{pluralize(done.kols)} moved from {source} to {target}"
                if done.follow_ups:
                    text += f", with {done.follow_ups} open follow-up{pluralize(done.follow_ups)}"
                messages.success(request, f"{text}.")
                return redirect("reviews:team")
        selected = {_parse_id(value) for value in request.POST.getlist("kols")}
        status = INVALID
    else:
        form = ReassignForm(kols=kols, targets=targets)
        selected = set()
    kol_list = list(kols)
    if data.get("select") == "all":
        selected = {kol.pk for kol in kol_list}
    context = {"source": source, "kols": kol_list, "selected": selected, "form": form}
    return render_page_or_part(request, "reviews/reassign.html", "choices", context, status=status)


urlpatterns = [
    path("people/", team, name="team"),
    path("people/invite/", invite, name="team_invite"),
    path("people/invitations/<int:pk>/revoke/", invitation_revoke, name="invitation_revoke"),
    path("people/<int:team_id>/<int:user_id>/role/", set_role, name="team_role"),
    path("people/<int:team_id>/<int:user_id>/remove/", remove, name="team_remove"),
    path("reassign/", reassign, name="reassign"),
]
