"""Who may open the manager pages: managers, for the teams they manage. Others get 404."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Team, User


def managed_teams(user: User):
    return Team.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.MANAGER
    ).distinct()


def require_manager(request: HttpRequest) -> list[Team]:
    """The teams this user manages; 404 (not 403) for anyone who manages none."""
    teams = list(managed_teams(request.user).order_by("name"))
    if not teams:
        raise Http404("Manager pages are for managers.")
    return teams


def get_team_for_manager(user: User, pk: int) -> Team:
    """A team this user manages, else 404 (also for real teams of other managers)."""
    return get_object_or_404(managed_teams(user), pk=pk)


def team_members(teams: list[Team]):
    """The people in these teams (any role), for filters and per-MSL rows."""
    return (
        User.objects.filter(memberships__team__in=teams, is_active=True)
        .distinct()
        .order_by("display_name")
    )
