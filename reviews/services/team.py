"""Writes for team administration: invitations, roles, removal, and reassigning KOLs."""

import logging
import smtplib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Team, User
from common.emails import absolute, build_email
from contacts import audit
from contacts.models import Collaborator, Kol
from engagements.models import FollowUp
from reviews.tokens import INVITE_MAX_AGE, invite_token

logger = logging.getLogger(__name__)

# How a role reads in a sentence: "Tom is now a manager in Team A".
ROLE_PHRASES = {Membership.Role.MSL: "an MSL", Membership.Role.MANAGER: "a manager"}


@dataclass(frozen=True)
class Invitation:
    user: User
    created: bool  # a new account (inactive until they set a password)
    needs_password: bool  # the email carries the set-password link


@transaction.atomic
def member_invite(*, by: User, team: Team, email: str, display_name: str, role: str) -> Invitation:
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, display_name=display_name.strip(), is_active=False)
        user.set_unusable_password()
        user.save()
    elif Membership.objects.filter(team=team, user=user, role=role).exists():
        raise ValidationError(
            {"email": f"{user} is already {ROLE_PHRASES[role]} in {team}."}, code="member"
        )
    Membership.objects.create(team=team, user=user, role=role)
    # Someone who already signs in only needs to hear about the team, not a password link.
    needs_password = not user.is_active or not user.has_usable_password()
    return Invitation(user=user, created=created, needs_password=needs_password)


def is_last_manager(*, team: Team, user: User) -> bool:
    managers = Membership.objects.filter(team=team, role=Membership.Role.MANAGER)
    return list(managers.values_list("user_id", flat=True)) == [user.pk]


def _lock_team(team: Team) -> list[tuple[int, str]]:
    """(user id, role) of every membership of `team`, locked until the transaction ends,
    so two managers cannot each remove the other's manager role at the same time."""
    return list(
        Membership.objects.select_for_update()
        .filter(team=team)
        .order_by("pk")
        .values_list("user_id", "role")
    )


@transaction.atomic
def member_set_role(*, by: User, team: Team, user: User, role: str, on: bool) -> None:
    rows = _lock_team(team)
    roles = {r for user_id, r in rows if user_id == user.pk}
    managers = {user_id for user_id, r in rows if r == Membership.Role.MANAGER}
    if not roles:
        raise ValidationError(f"{user} is not in {team}.")
    if on:
        if role not in roles:
            Membership.objects.create(team=team, user=user, role=role)
        return
    if role not in roles:
        return
    if roles == {role}:
        raise ValidationError(
            f"{user} has no other role in {team}: use “Remove from team” instead."
        )
    if role == Membership.Role.MANAGER and managers == {user.pk}:
        raise ValidationError(f"{team} needs a manager: {user} is its only one.")
    Membership.objects.filter(team=team, user=user, role=role).delete()


@transaction.atomic
def member_remove(*, by: User, team: Team, user: User) -> int:
    """Remove every role `user` has in `team`. Their KOLs stay theirs until reassigned."""
    rows = _lock_team(team)
    if not any(user_id == user.pk for user_id, _ in rows):
        raise ValidationError(f"{user} is not in {team}.")
    if {user_id for user_id, r in rows if r == Membership.Role.MANAGER} == {user.pk}:
        raise ValidationError(f"{team} needs a manager: {user} is its only one.")
    deleted, _ = Membership.objects.filter(team=team, user=user).delete()
    return deleted


@dataclass(frozen=True)
class Reassignment:
    kols: int
    follow_ups: int


@transaction.atomic
def kols_reassign(*, by: User, source: User, target: User, kols: list[Kol]) -> Reassignment:
    """Give `kols` (owned by `source`) to `target`, with their open follow-ups."""
    if source.pk == target.pk:
        raise ValidationError({"to": "Pick someone other than the current owner."})
    ids = [kol.pk for kol in kols]
    # Only what `source` still owns now: another manager may have moved some meanwhile.
    locked = list(Kol.objects.select_for_update().filter(pk__in=ids, owner=source).order_by("pk"))
    if len(locked) != len(set(ids)):
        raise ValidationError(
            {"kols": f"Some of these KOLs are no longer owned by {source}: reload the page."}
        )
    Kol.objects.filter(pk__in=ids).update(
        owner=target, version=F("version") + 1, updated_at=timezone.now()
    )
    follow_ups = FollowUp.objects.filter(
        kol_id__in=ids, owner=source, status=FollowUp.Status.OPEN
    ).update(owner=target)
    # The new owner is no longer "also working with" their own KOL.
    for collaborator in Collaborator.objects.filter(kol_id__in=ids, user=target).select_related(
        "kol", "user"
    ):
        collaborator_pk = collaborator.pk
        collaborator.delete()
        audit.record_deleted(
            kol=collaborator.kol,
            actor=by,
            obj=collaborator,
            subject="collaborator",
            pk=collaborator_pk,
        )
    summary = f"Reassigned from {source} to {target}"
    for kol in locked:
        audit.record(
            kol=kol,
            actor=by,
            action="changed",
            subject="owner",
            subject_id=kol.pk,
            summary=summary,
            changes={"owner": [str(source), str(target)]},
        )
    return Reassignment(kols=len(locked), follow_ups=follow_ups)


@transaction.atomic
def invite_accept(*, user: User, password: str) -> User:
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user


def invitation_send(*, invitation: Invitation, by: User, team: Team, role: str) -> bool:
    """Email the invitation (outside any transaction); False if the mail server refused."""
    user = invitation.user
    join_url = None
    if invitation.needs_password:
        join_url = absolute(reverse("team_join", args=[invite_token(user)]))
    context = {
        "inviter": by,
        "team": team,
        "role_phrase": ROLE_PHRASES[role],
        "join_url": join_url,
        "sign_in_url": absolute(reverse("login")),
        "valid_days": INVITE_MAX_AGE.days,
    }
    try:
        build_email("invite", to=user, context=context).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the invitation to user %s", user.pk)
        return False
    return True
