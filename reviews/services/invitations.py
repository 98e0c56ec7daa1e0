"""Writes for invitations: who may join a team is decided here and nowhere else.

- An invitation grants nothing: the membership is created when the invited person accepts.
- Someone in a team the inviting manager does not manage must be released first (removed
  from that team by its manager, or by staff): inviting them is refused, naming who.
- An account staff deactivated stays deactivated: inviting its email changes nothing.

Each invitation, answer and withdrawal is an entry of the team's History.
"""

import logging
import smtplib

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Team, User
from common.emails import absolute, build_email
from contacts.models import AuditEntry
from reviews.models import Invitation
from reviews.services.team import ROLE_PHRASES, record_team, require_manager
from reviews.tokens import INVITE_MAX_AGE, invite_token

logger = logging.getLogger(__name__)

REFUSED_STATES = {
    Invitation.State.ACCEPTED: "This invitation was accepted already.",
    Invitation.State.DECLINED: "This invitation was declined.",
    Invitation.State.REVOKED: "This invitation was withdrawn: it no longer works.",
    Invitation.State.EXPIRED: "This invitation is more than 7 days old: it no longer works.",
}


def never_joined(user: User) -> bool:
    """An account an invitation created, whose person has not set a password yet. Any other
    inactive account was deactivated by staff, and only staff may bring it back."""
    return not user.is_active and not user.has_usable_password() and user.last_login is None


def teams_to_release(*, user: User, manager: User | None, team: Team) -> list[Team]:
    """The teams (other than `team`) `user` is in that `manager` does not manage: their
    managers, or staff, must release `user` before `user` may join `team`."""
    managed = (
        set(manager.managed_team_ids()) if manager is not None and manager.is_active else set()
    )
    return list(
        Team.objects.filter(memberships__user=user)
        .exclude(pk=team.pk)
        .exclude(pk__in=managed)
        .distinct()
        .order_by("name")
    )


def _release_message(user: User, teams: list[Team], *, you: bool = False) -> str:
    managers = [
        str(manager)
        for manager in User.objects.filter(
            memberships__team__in=teams, memberships__role=Membership.Role.MANAGER
        ).distinct()
    ]
    names = " and ".join(team.name for team in teams)
    who = "its manager" if len(teams) == 1 else "their managers"
    who = f"{who} ({' or '.join(managers)}) or a staff member" if managers else "a staff member"
    if you:
        return (
            f"You are in {names}. Only {who} can release you: once you are removed from "
            f"{names}, ask to be invited again."
        )
    return (
        f"{user} is in {names}. Only {who} can release them: once they are removed from "
        f"{names}, invite them again."
    )


@transaction.atomic
def member_invite(*, by: User, team: Team, email: str, display_name: str, role: str) -> Invitation:
    """A pending invitation (and, for a new email, an inactive account without a password).
    Nothing is granted until the person accepts (invitation_accept)."""
    require_manager(by, team)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        user, _ = User.objects.get_or_create(
            email=email,
            defaults={
                "display_name": display_name.strip(),
                "is_active": False,
                "password": make_password(None),  # unusable until they set theirs
            },
        )
    if not user.is_active and not never_joined(user):
        raise ValidationError(
            {
                "email": f"{user}’s account was deactivated by staff: only staff can "
                "reactivate it. Nothing was changed."
            },
            code="deactivated",
        )
    if user.is_active and Membership.objects.filter(team=team, user=user, role=role).exists():
        raise ValidationError(
            {"email": f"{user} is already {ROLE_PHRASES[role]} in {team}."}, code="member"
        )
    blocking = teams_to_release(user=user, manager=by, team=team)
    if blocking:
        raise ValidationError({"email": _release_message(user, blocking)}, code="in_other_team")
    now = timezone.now()
    # Inviting again replaces the open invitation: its link stops working.
    Invitation.objects.filter(
        team=team, user=user, accepted_at=None, declined_at=None, revoked_at=None
    ).update(revoked_at=now, revoked_by=by)
    invitation = Invitation.objects.create(
        team=team, user=user, email=user.email, role=role, invited_by=by, created_at=now
    )
    record_team(
        team=team,
        actor=by,
        action=AuditEntry.Action.CREATED,
        summary=f"Invited {user} ({user.email}) to join {team} as {ROLE_PHRASES[role]}",
        changes={"invitation": ["", f"{user.email}, {invitation.get_role_display()}"]},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> None:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("team", "user")
        .get(pk=invitation.pk)
    )
    require_manager(by, invitation.team)
    if invitation.accepted_at or invitation.declined_at or invitation.revoked_at:
        raise ValidationError(REFUSED_STATES[invitation.state()], code="not_pending")
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    record_team(
        team=invitation.team,
        actor=by,
        action=AuditEntry.Action.DELETED,
        summary=f"Withdrew the invitation of {invitation.user} ({invitation.email})",
        changes={"invitation": [f"{invitation.email}, {invitation.get_role_display()}", ""]},
    )


def _lock_pending(invitation: Invitation, user: User) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("team", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.user_id != user.pk:
        raise ValidationError("This invitation is for someone else.", code="not_yours")
    state = invitation.state()
    if state != Invitation.State.PENDING:
        raise ValidationError(REFUSED_STATES[state], code=state)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, password: str | None = None) -> None:
    """`user` joins the team. With `password`: the account the invitation created gets its
    password and is activated (the link's page); without: a signed-in person accepts."""
    invitation = _lock_pending(invitation, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    team, inviter = invitation.team, invitation.invited_by
    if password is not None:
        if not never_joined(user):
            raise ValidationError("This account already has a password: sign in to answer.")
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    elif not user.is_active:
        raise ValidationError("This account was deactivated by staff.", code="deactivated")
    still_manages = (
        inviter is not None
        and inviter.is_active
        and Membership.objects.filter(
            team=team, user=inviter, role=Membership.Role.MANAGER
        ).exists()
    )
    if not still_manages:
        raise ValidationError(
            f"{inviter or 'The person who invited you'} no longer manages {team}: ask one of "
            "its managers to invite you again.",
            code="inviter_gone",
        )
    blocking = teams_to_release(user=user, manager=inviter, team=team)
    if blocking:
        raise ValidationError(_release_message(user, blocking, you=True), code="in_other_team")
    Membership.objects.get_or_create(team=team, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_team(
        team=team,
        actor=user,
        action=AuditEntry.Action.CREATED,
        summary=f"{user} accepted the invitation of {inviter} and joined {team} as "
        f"{ROLE_PHRASES[invitation.role]}",
        changes={"roles": ["", invitation.get_role_display()]},
    )


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User) -> None:
    invitation = _lock_pending(invitation, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    record_team(
        team=invitation.team,
        actor=user,
        action=AuditEntry.Action.CHANGED,
        summary=f"{user} declined the invitation to join {invitation.team}",
        changes={"invitation": [f"{invitation.email}, {invitation.get_role_display()}", ""]},
    )


def invitation_send(*, invitation: Invitation) -> bool:
    """Email the invitation (outside any transaction); False if the mail server refused."""
    user = invitation.user
    context = {
        "inviter": invitation.invited_by,
        "team": invitation.team,
        "role_phrase": ROLE_PHRASES[invitation.role],
        "join_url": absolute(reverse("team_join", args=[invite_token(invitation)])),
        "needs_password": never_joined(user),
        "valid_days": INVITE_MAX_AGE.days,
    }
    try:
        build_email("invite", to=user, context=context).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the invitation to user %s", user.pk)
        return False
    return True
