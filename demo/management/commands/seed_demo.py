"""`manage.py seed_demo`: a demo team, its MSLs, about 60 KOLs and their engagement history.

Idempotent: rows are looked up by natural keys (email, team name, area and topic name, KOL
name + institution) and only what is missing is created; passwords are set only when a user
is created. The KOLs are generated from a seeded `random.Random`, so every run builds the same
specs whatever is already in the database. Engagement history (touchpoints, follow-ups, gives,
asks, plans; see `demo.engagements`) is written only for demo KOLs without touchpoints.
"""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Team, User
from contacts import services
from contacts.models import (
    AssumptionStatus,
    Collaborator,
    Goal,
    Interest,
    Kol,
    Provenance,
    Stage,
    StageChange,
    TherapeuticArea,
    Topic,
)
from demo.engagements import ask_heavy_names, seed_engagements
from demo.events import seed_events_and_opportunities
from demo.people import (
    ADMIN_EMAIL,
    AREAS,
    ASSUMPTION_SOURCES,
    BACKWARD_REASON,
    DEMO_PASSWORD,
    FELLOWSHIPS,
    FIRST_NAMES,
    FORWARD_REASONS,
    FROM_WHERE,
    INTEREST_NOTES,
    KOL_COUNT,
    KOL_GOALS,
    LAST_NAMES,
    MANAGER_EMAIL,
    MEDICAL_SCHOOLS,
    MSL_EMAILS,
    NURSE_SPECIALTIES,
    OUR_GOALS,
    PASSIONS,
    PHARMACIST_SPECIALTIES,
    PHYSICIAN_SPECIALTIES,
    REGIONS,
    SEED,
    STAGE_AGE_DAYS,
    TEAM_NAME,
    TEAM_USERS,
    TITLES,
    GoalSpec,
    InterestSpec,
    KolSpec,
    ascii_only,
    in_sentence,
)

# The demo command composes every app's data (reviews included); no model imports upward.
from demo.reviews import seed_reviews
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Touchpoint


def build_specs() -> list[KolSpec]:
    """The demo KOLs: the same list on every run (all randomness comes from one seed)."""
    rng = random.Random(SEED)
    stages = (
        [Stage.ESTABLISHING] * (KOL_COUNT // 2)
        + [Stage.DEVELOPING] * (KOL_COUNT // 3)
        + [Stage.MAINTAINING] * (KOL_COUNT - KOL_COUNT // 2 - KOL_COUNT // 3)
    )
    rng.shuffle(stages)
    titles = [title for title, _ in TITLES]
    weights = [weight for _, weight in TITLES]
    used_names: set[str] = set()
    specs: list[KolSpec] = []
    for i in range(KOL_COUNT):
        owner_email = MSL_EMAILS[i % len(MSL_EMAILS)]
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            if name not in used_names:
                used_names.add(name)
                break
        credentials = rng.choices(titles, weights)[0]
        if credentials == "RN, NP":
            specialties = NURSE_SPECIALTIES
        elif credentials == "PharmD":
            specialties = PHARMACIST_SPECIALTIES
        else:
            specialties = PHYSICIAN_SPECIALTIES
        specialty = rng.choice(sorted(specialties))
        areas = list(specialties[specialty])
        institution, city, country = rng.choice(REGIONS[owner_email])
        school = rng.choice(MEDICAL_SCHOOLS)
        if credentials == "RN, NP":
            trained_at = f"Nursing at {school}; advanced practice training at {institution}"
        elif credentials == "PharmD":
            trained_at = f"Pharmacy at {school}; clinical residency at {institution}"
        else:
            fellowships = [f for area in areas for f in FELLOWSHIPS[area]]
            trained_at = f"Medicine at {school}; {rng.choice(fellowships)}"
        stage = stages[i]
        history: list[tuple[str, str]] = []
        if stage != Stage.ESTABLISHING and rng.random() < 0.7:
            history.append((Stage.DEVELOPING, rng.choice(FORWARD_REASONS[Stage.DEVELOPING])))
            if stage == Stage.MAINTAINING:
                history.append((Stage.MAINTAINING, rng.choice(FORWARD_REASONS[Stage.MAINTAINING])))
        low, high = STAGE_AGE_DAYS[stage]
        spec = KolSpec(
            owner_email=owner_email,
            data={
                "name": name,
                "credentials": credentials,
                "specialty": specialty,
                "institution": institution,
                "city": city,
                "country": country,
                "email": f"{ascii_only(first).lower()}.{ascii_only(last).lower()}@example.org",
                "from_where": rng.choice(FROM_WHERE),
                "trained_at": trained_at,
                "passions": "; ".join(rng.sample(PASSIONS, rng.choice([1, 2]))),
                "preferred_channel": rng.choice(Kol.Channel.values),
                "cadence_days": rng.choice([30, 60, 90]),
            },
            areas=areas,
            stage=stage,
            history=history,
            age_days=rng.randint(low, high),
        )
        topics = [(area, topic) for area in areas for topic in AREAS[area]]
        for kind in rng.sample(Interest.Kind.values, rng.randint(1, 4)):
            area, topic = rng.choice(topics)
            note = rng.choice(INTEREST_NOTES[kind]).format(t=in_sentence(topic))
            if rng.random() < 0.6:
                provenance, status = Provenance.STATED, ""
            else:
                provenance = Provenance.ASSUMED
                status = rng.choice(AssumptionStatus.values)
                note = f"{note} (inferred from {rng.choice(ASSUMPTION_SOURCES)})"
            spec.interests.append(
                InterestSpec(
                    kind=kind,
                    area=area,
                    topic=topic,
                    note=note,
                    provenance=provenance,
                    assumption_status=status,
                    days_ago=rng.randint(3, min(spec.age_days, 360)),
                )
            )
        goal_statuses = [Goal.Status.OPEN] * 6 + [Goal.Status.PROGRESSING] * 3
        goal_statuses.append(Goal.Status.ACHIEVED)
        for area, text in rng.sample(KOL_GOALS, rng.randint(0, 2)):
            _, topic = rng.choice(topics)
            stated = rng.random() < 0.7
            spec.goals.append(
                GoalSpec(
                    whose=Goal.Whose.KOL,
                    area=area,
                    text=text.format(t=in_sentence(topic)),
                    status=rng.choice(goal_statuses),
                    in_it_for_kol="",
                    provenance=Provenance.STATED if stated else Provenance.ASSUMED,
                    assumption_status="" if stated else rng.choice(AssumptionStatus.values),
                    days_ago=rng.randint(3, min(spec.age_days, 360)),
                )
            )
        for area, text, in_it in rng.sample(OUR_GOALS, rng.randint(0, 2)):
            _, topic = rng.choice(topics)
            spec.goals.append(
                GoalSpec(
                    whose=Goal.Whose.OURS,
                    area=area,
                    text=text.format(t=in_sentence(topic)),
                    status=rng.choice(goal_statuses),
                    in_it_for_kol=in_it.format(t=in_sentence(topic)),
                    provenance=Provenance.STATED,
                    assumption_status="",
                    days_ago=rng.randint(3, min(spec.age_days, 360)),
                )
            )
        specs.append(spec)

    # Two relationships that went back a stage after the KOL moved institution.
    backward = [s for s in specs if s.stage == Stage.ESTABLISHING][:2]
    for spec in backward:
        spec.age_days = max(spec.age_days, 150)
        spec.history = [
            (Stage.DEVELOPING, rng.choice(FORWARD_REASONS[Stage.DEVELOPING])),
            (Stage.ESTABLISHING, BACKWARD_REASON),
        ]
    # msl2 co-covers a few of msl1's KOLs (e.g. they moved between the two regions).
    for spec in [s for s in specs if s.owner_email == MSL_EMAILS[0]][:3]:
        spec.msl2_collaborates = True
    # One relationship has ended.
    [s for s in specs if s.owner_email == MSL_EMAILS[2] and not s.history][-1].archived = True
    return specs


class Command(BaseCommand):
    help = (
        "Create demo users, a team and about 60 KOLs with 18 months of engagement history. "
        "Safe to run again: adds only what is missing."
    )

    def handle(self, *args, **options):
        self.created: dict[str, int] = {}
        with transaction.atomic():
            users = self._users()
            topics = self._vocabulary()
            specs = build_specs()
            kols = self._kols(specs, users, topics)
            made = seed_engagements(
                kols,
                ask_heavy=ask_heavy_names([s.data["name"] for s in specs if not s.archived]),
                now=timezone.now(),
            )
            made |= seed_events_and_opportunities(
                by=users[MANAGER_EMAIL], today=timezone.localdate()
            )
            made |= seed_reviews(manager=users[MANAGER_EMAIL], now=timezone.now())
            for what, count in made.items():
                self.created[what] = self.created.get(what, 0) + count
        self._summary()

    def _count(self, what: str, created: bool = True) -> None:
        if created:
            self.created[what] = self.created.get(what, 0) + 1

    def _user(self, email: str, display_name: str, time_zone: str, **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, display_name=display_name, time_zone=time_zone, **extra
            )
            self._count("users")
        return user

    def _users(self) -> dict[str, User]:
        team, created = Team.objects.get_or_create(name=TEAM_NAME)
        self._count("teams", created)
        users = {}
        for email, display_name, time_zone, role in TEAM_USERS:
            users[email] = self._user(email, display_name, time_zone)
            _, created = Membership.objects.get_or_create(team=team, user=users[email], role=role)
            self._count("memberships", created)
        self._user(ADMIN_EMAIL, "Demo Admin", "UTC", is_staff=True, is_superuser=True)
        return users

    def _vocabulary(self) -> dict[tuple[str, str], Topic]:
        topics = {}
        for area_name, topic_names in AREAS.items():
            area, created = TherapeuticArea.objects.get_or_create(name=area_name)
            self._count("therapeutic areas", created)
            for topic_name in topic_names:
                existed = area.topics.filter(name__iexact=topic_name).exists()
                topic = services.topic_get_or_create(name=topic_name, area=area)
                self._count("topics", not existed)
                topics[(area_name, topic_name)] = topic
        return topics

    def _kols(self, specs: list[KolSpec], users: dict[str, User], topics: dict) -> list[Kol]:
        """The demo KOLs, created where missing (with their collaborators)."""
        areas = {area.name: area for area in TherapeuticArea.objects.filter(name__in=AREAS)}
        now = timezone.now()
        kols = []
        for spec in specs:
            owner = users[spec.owner_email]
            kol = Kol.objects.filter(
                name=spec.data["name"], institution=spec.data["institution"]
            ).first()
            if kol is None:
                kol = self._create_kol(spec, owner, areas, topics, now)
            if spec.msl2_collaborates:
                _, created = Collaborator.objects.get_or_create(
                    kol=kol,
                    user=users[MSL_EMAILS[1]],
                    defaults={"role": Collaborator.Role.MSL},
                )
                self._count("collaborators", created)
            kols.append(kol)
        return kols

    def _create_kol(self, spec: KolSpec, owner: User, areas, topics, now) -> Kol:
        data = dict(spec.data, therapeutic_areas=[areas[name] for name in spec.areas])
        data["stage"] = Stage.ESTABLISHING if spec.history else spec.stage
        kol = services.kol_create(by=owner, data=data)
        created_at = now - datetime.timedelta(days=spec.age_days)
        StageChange.objects.filter(kol=kol).update(changed_at=created_at)
        for step, (to_stage, reason) in enumerate(spec.history, start=1):
            change = services.kol_change_stage(
                kol=kol, by=owner, to_stage=to_stage, reason=reason, expected_version=kol.version
            )
            # Spread the history over the relationship's life instead of "just now".
            days = spec.age_days * (len(spec.history) + 1 - step) // (len(spec.history) + 2)
            StageChange.objects.filter(pk=change.pk).update(
                changed_at=now - datetime.timedelta(days=days)
            )
        Kol.objects.filter(pk=kol.pk).update(created_at=created_at)
        kol.created_at = created_at

        today = timezone.localdate(now)
        for item in spec.interests:
            when = today - datetime.timedelta(days=item.days_ago)
            interest = services.interest_add(
                kol=kol,
                by=owner,
                data={
                    "kind": item.kind,
                    "topic": topics[(item.area, item.topic)],
                    "note": item.note,
                    "provenance": item.provenance,
                    "assumption_status": item.assumption_status,
                    "stated_on": when,
                },
            )
            Interest.objects.filter(pk=interest.pk).update(
                created_at=now - datetime.timedelta(days=item.days_ago)
            )
        for item in spec.goals:
            goal = services.goal_add(
                kol=kol,
                by=owner,
                data={
                    "whose": item.whose,
                    "area": item.area,
                    "text": item.text,
                    "status": item.status,
                    "in_it_for_kol": item.in_it_for_kol,
                    "provenance": item.provenance,
                    "assumption_status": item.assumption_status,
                    "stated_on": today - datetime.timedelta(days=item.days_ago),
                },
            )
            Goal.objects.filter(pk=goal.pk).update(
                created_at=now - datetime.timedelta(days=item.days_ago)
            )
        if spec.archived:
            services.kol_set_archived(kol=kol, by=owner, archived=True)
        self._count("KOLs")
        self.created["interests"] = self.created.get("interests", 0) + len(spec.interests)
        self.created["goals"] = self.created.get("goals", 0) + len(spec.goals)
        self.created["stage changes"] = self.created.get("stage changes", 0) + 1 + len(spec.history)
        return kol

    def _summary(self) -> None:
        write = self.stdout.write
        if not any(self.created.values()):
            write("Demo data already present; nothing changed.")
        else:
            made = ", ".join(f"{what} {count}" for what, count in self.created.items() if count)
            write(self.style.SUCCESS(f"Demo data created ({made})."))
        by_stage = {
            label: Kol.objects.filter(stage=value).count() for value, label in Stage.choices
        }
        write(
            f"In the database: {Kol.objects.count()} KOLs ("
            + ", ".join(f"{count} {label.lower()}" for label, count in by_stage.items())
            + f"; {Kol.objects.filter(is_archived=True).count()} archived), "
            f"{Interest.objects.count()} interests, {Goal.objects.count()} goals."
        )
        today = timezone.localdate()
        open_follow_ups = FollowUp.objects.filter(status=FollowUp.Status.OPEN)
        write(
            f"Engagement history: {Touchpoint.objects.count()} touchpoints, "
            f"{FollowUp.objects.count()} follow-ups ({open_follow_ups.count()} open, "
            f"{open_follow_ups.filter(due_on__lt=today).count()} overdue), "
            f"{Give.objects.count()} gives, {Ask.objects.count()} asks, "
            f"{EngagementPlan.objects.count()} engagement plans; "
            f"{Kol.objects.filter(next_check_in_on__lt=today).count()} KOLs overdue for a check-in."
        )
        write("")
        write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, display_name, _, role in TEAM_USERS:
            write(f"  {email:<28} {display_name:<15} {Membership.Role(role).label}")
        write(f"  {ADMIN_EMAIL:<28} {'Demo Admin':<15} Admin (staff, superuser)")
