"""Writes for team administration: roles, removal, and reassigning KOLs (invitations:
reviews/services/invitations.py).

A team's KOLs stay with the team: removing someone left in no team hands every KOL they own
to a member of the team, in the same transaction, and ends their collaborations on the
team's KOLs; reassignment only moves KOLs between people of the manager's own teams.

Every membership change is a team History entry (AuditEntry without a KOL, subject
TEAM_HISTORY, subject_id the team: record_team); every change of owner is on the KOL.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership, Team, User
from contacts import audit
from contacts.models import AuditEntry, Collaborator, Kol
from engagements.models import FollowUp
from reviews.models import Invitation

# How a role reads in a sentence: "Tom is now a manager in Team A".
ROLE_PHRASES = {Membership.Role.MSL: "an MSL", Membership.Role.MANAGER: "a manager"}
# The subject of a team's History entries (AuditEntry.kol is None, subject_id the team).
TEAM_HISTORY = "team membership"


def record_team(*, team: Team, actor: User | None, action: str, summary: str, changes=None) -> None:
    audit.record(
        kol=None,
        actor=actor,
        action=action,
        subject=TEAM_HISTORY,
        subject_id=team.pk,
        summary=summary,
        changes=changes,
    )


def require_manager(by: User, team: Team) -> None:
    # The views only offer the teams `by` manages; this keeps the service honest on its own.
    if not Membership.objects.filter(team=team, user=by, role=Membership.Role.MANAGER).exists():
        raise ValidationError(f"You do not manage {team}.", code="not_manager")


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
    require_manager(by, team)
    rows = _lock_team(team)
    roles = {r for user_id, r in rows if user_id == user.pk}
    managers = {user_id for user_id, r in rows if r == Membership.Role.MANAGER}
    if not roles:
        raise ValidationError(f"{user} is not in {team}.")
    label = Membership.Role(role).label
    before = ", ".join(sorted(Membership.Role(r).label for r in roles))
    if on:
        if role in roles:
            return
        Membership.objects.create(team=team, user=user, role=role)
        after = ", ".join(sorted(Membership.Role(r).label for r in roles | {role}))
        record_team(
            team=team,
            actor=by,
            action=AuditEntry.Action.CREATED,
            summary=f"Made {user} {ROLE_PHRASES[role]} in {team}",
            changes={f"roles of {user}": [before, after]},
        )
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
    after = ", ".join(sorted(Membership.Role(r).label for r in roles - {role}))
    record_team(
        team=team,
        actor=by,
        action=AuditEntry.Action.DELETED,
        summary=f"Took the {label} role in {team} from {user}",
        changes={f"roles of {user}": [before, after]},
    )


def keeps_another_team(*, user: User, team: Team) -> bool:
    """Whether `user` is in a team besides `team`: then their KOLs stay with them (and that
    team) when they leave `team`; otherwise they are `team`'s and stay with it."""
    return Membership.objects.filter(user=user).exclude(team=team).exists()


@dataclass(frozen=True)
class Removal:
    kols: int  # handed over within the team
    to: User | None
    collaborations: int  # on the team's KOLs, dropped


@transaction.atomic
def member_remove(*, by: User, team: Team, user: User, hand_over_to: User | None = None) -> Removal:
    """Remove every role `user` has in `team`. A team's KOLs stay with the team: when `user`
    is left in no team, every KOL they own (archived ones too) goes to `hand_over_to`, an
    active member of `team`, with its open follow-ups. Their collaborations on the team's
    KOLs end, and their open invitation to `team`, if any, is withdrawn."""
    require_manager(by, team)
    rows = _lock_team(team)
    members = {user_id for user_id, _ in rows}
    roles = sorted(Membership.Role(r).label for user_id, r in rows if user_id == user.pk)
    if not roles:
        raise ValidationError(f"{user} is not in {team}.")
    if {user_id for user_id, r in rows if r == Membership.Role.MANAGER} == {user.pk}:
        raise ValidationError(f"{team} needs a manager: {user} is its only one.")
    Membership.objects.filter(team=team, user=user).delete()
    other_teams = list(Membership.objects.filter(user=user).values_list("team_id", flat=True))

    handed, target = 0, None
    owned = list(Kol.objects.filter(owner=user).order_by("pk").values_list("pk", flat=True))
    if owned and not other_teams:
        target = hand_over_to
        if (
            target is None
            or target.pk == user.pk
            or target.pk not in members
            or not target.is_active
        ):
            raise ValidationError(
                {"to": f"Choose who in {team} takes over the KOLs {user} owns."}, code="to"
            )
        handed = _move_kols(
            by=by,
            source=user,
            target=target,
            ids=owned,
            summary=f"Handed over from {user} to {target}: {user} left {team}",
        ).kols

    dropped = _end_collaborations(by=by, team=team, user=user, members=members - {user.pk})
    now = timezone.now()
    Invitation.objects.filter(
        team=team, user=user, accepted_at=None, declined_at=None, revoked_at=None
    ).update(revoked_at=now, revoked_by=by)
    summary = f"Removed {user} from {team}"
    if handed:
        summary += f"; their {handed} KOL{'s' if handed != 1 else ''} went to {target}"
    record_team(
        team=team,
        actor=by,
        action=AuditEntry.Action.DELETED,
        summary=summary,
        changes={f"roles of {user}": [", ".join(roles), ""]},
    )
    return Removal(kols=handed, to=target, collaborations=dropped)


def _end_collaborations(*, by: User, team: Team, user: User, members: set[int]) -> int:
    """End `user`'s collaborations on KOLs owned by `members` (the team's KOLs), except
    where the owner shares another team with `user`. Their open follow-ups on those KOLs
    go to the KOL's owner, so nothing promised is lost."""
    still_with = Membership.objects.filter(team__memberships__user=user).values("user_id")
    collaborations = list(
        Collaborator.objects.select_for_update(of=("self",))
        .filter(user=user, kol__owner_id__in=members)
        .exclude(kol__owner_id__in=still_with)
        .select_related("kol__owner", "user")
        .order_by("pk")
    )
    for collaboration in collaborations:
        kol = collaboration.kol
        for follow_up in FollowUp.objects.filter(
            kol=kol, owner=user, status=FollowUp.Status.OPEN
        ).order_by("pk"):
            follow_up.owner = kol.owner
            follow_up.save(update_fields=["owner"])
            audit.record(
                kol=kol,
                actor=by,
                action=AuditEntry.Action.CHANGED,
                subject="follow-up",
                subject_id=follow_up.pk,
                summary=f"{follow_up}: to the owner, {user} left {team}",
                changes={"owner": [str(user), str(kol.owner)]},
            )
        pk = collaboration.pk
        collaboration.delete()
        audit.record_deleted(kol=kol, actor=by, obj=collaboration, subject="collaborator", pk=pk)
    return len(collaborations)


# ---------------------------------------------------------------- reassigning KOLs


@dataclass(frozen=True)
class Reassignment:
    kols: int
    follow_ups: int


def _move_kols(*, by: User, source: User, target: User, ids: list[int], summary: str):
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
    for kol in locked:
        audit.record(
            kol=kol,
            actor=by,
            action=AuditEntry.Action.CHANGED,
            subject="owner",
            subject_id=kol.pk,
            summary=summary,
            changes={"owner": [str(source), str(target)]},
        )
    return Reassignment(kols=len(locked), follow_ups=follow_ups)


def in_managed_teams(*, by: User, users: list[User]) -> bool:
    """Whether every one of `users` is in a team `by` manages."""
    ids = {user.pk for user in users}
    found = Membership.objects.filter(team_id__in=by.managed_team_ids(), user_id__in=ids)
    return set(found.values_list("user_id", flat=True)) == ids


@transaction.atomic
def kols_reassign(*, by: User, source: User, target: User, kols: list[Kol]) -> Reassignment:
    """Give `kols` (owned by `source`) to `target`, with their open follow-ups. Both people
    must be in teams `by` manages, and `target` active: KOLs never leave a manager's teams."""
    if source.pk == target.pk:
        raise ValidationError({"to": "Pick someone other than the current owner."})
    if not in_managed_teams(by=by, users=[source, target]) or not target.is_active:
        raise ValidationError({"to": "Pick an active member of your teams."}, code="outside")
    return _move_kols(
        by=by,
        source=source,
        target=target,
        ids=[kol.pk for kol in kols],
        summary=f"Reassigned from {source} to {target}",
    )
