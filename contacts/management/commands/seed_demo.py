"""`manage.py seed_demo`: a demo team, its MSLs and about 60 KOLs with interests and goals.

Idempotent: rows are looked up by natural keys (email, team name, area and topic name, KOL
name + institution) and only what is missing is created; passwords are set only when a user
is created. The KOLs are generated from a seeded `random.Random`, so every run builds the same
specs whatever is already in the database.
"""

import datetime
import random
import unicodedata
from dataclasses import dataclass, field

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

DEMO_PASSWORD = "demo-pass-2026"
SEED = 2026
KOL_COUNT = 60
TEAM_NAME = "Cardio-Renal Medical Affairs"
ADMIN_EMAIL = "admin@demo.kolcrm.test"
MANAGER_EMAIL = "manager@demo.kolcrm.test"

# (email, display name, time zone, role in the team)
TEAM_USERS = [
    (MANAGER_EMAIL, "Maria Manager", "Europe/London", Membership.Role.MANAGER),
    ("msl1@demo.kolcrm.test", "Sam Okafor", "Europe/London", Membership.Role.MSL),
    ("msl2@demo.kolcrm.test", "Lena Fischer", "Europe/Berlin", Membership.Role.MSL),
    ("msl3@demo.kolcrm.test", "Priya Raman", "America/New_York", Membership.Role.MSL),
]
MSL_EMAILS = [email for email, _, _, role in TEAM_USERS if role == Membership.Role.MSL]

AREAS: dict[str, list[str]] = {
    "Cardiology": [
        "Heart failure with preserved ejection fraction",
        "Heart failure with reduced ejection fraction",
        "SGLT2 inhibitors",
        "Atrial fibrillation",
        "Lipid management",
        "Cardiac amyloidosis",
        "Real-world evidence",
    ],
    "Nephrology": [
        "Chronic kidney disease progression",
        "Diabetic kidney disease",
        "Hyperkalaemia",
        "Anaemia in CKD",
        "Dialysis outcomes",
    ],
    "Endocrinology": [
        "Type 2 diabetes",
        "GLP-1 receptor agonists",
        "Obesity management",
        "Cardiometabolic risk",
    ],
    "Oncology": [
        "Cardio-oncology",
        "Immunotherapy toxicity",
        "Renal cell carcinoma",
        "Biomarker-driven trials",
    ],
}

# Each MSL covers a region: (institution, city, country).
REGIONS: dict[str, list[tuple[str, str, str]]] = {
    "msl1@demo.kolcrm.test": [
        ("St Thomas' Hospital", "London", "United Kingdom"),
        ("Royal Brompton Hospital", "London", "United Kingdom"),
        ("Manchester Royal Infirmary", "Manchester", "United Kingdom"),
        ("Royal Infirmary of Edinburgh", "Edinburgh", "United Kingdom"),
        ("St James's Hospital", "Dublin", "Ireland"),
        ("Karolinska University Hospital", "Stockholm", "Sweden"),
        ("Rigshospitalet", "Copenhagen", "Denmark"),
    ],
    "msl2@demo.kolcrm.test": [
        ("Charité – Universitätsmedizin Berlin", "Berlin", "Germany"),
        ("LMU Klinikum", "Munich", "Germany"),
        ("Universitätsklinikum Heidelberg", "Heidelberg", "Germany"),
        ("University Hospital Zurich", "Zurich", "Switzerland"),
        ("Hôpital Européen Georges-Pompidou", "Paris", "France"),
        ("Amsterdam UMC", "Amsterdam", "Netherlands"),
        ("Hospital Clínic de Barcelona", "Barcelona", "Spain"),
    ],
    "msl3@demo.kolcrm.test": [
        ("Mayo Clinic", "Rochester, MN", "United States"),
        ("Cleveland Clinic", "Cleveland, OH", "United States"),
        ("Massachusetts General Hospital", "Boston, MA", "United States"),
        ("Brigham and Women's Hospital", "Boston, MA", "United States"),
        ("Mount Sinai Hospital", "New York, NY", "United States"),
        ("Stanford Health Care", "Stanford, CA", "United States"),
        ("Toronto General Hospital", "Toronto, ON", "Canada"),
    ],
}

FIRST_NAMES = [
    "Amara", "Anders", "Beatriz", "Chen", "Claire", "Daniel", "Elif", "Fatima", "Felix",
    "Grace", "Hannah", "Hiroshi", "Ingrid", "Isabel", "James", "Javier", "Katarzyna", "Kwame",
    "Laura", "Lars", "Marco", "Mei", "Miriam", "Nadia", "Niamh", "Oliver", "Omar", "Paolo",
    "Rachel", "Rajesh", "Sofia", "Sophie", "Thomas", "Tomás", "Ulrike", "Victor", "Wei",
    "Yasmin", "Zainab", "Henrik",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Andersson", "Bauer", "Bianchi", "Brennan", "Chaudhry", "Costa", "Dubois",
    "Eriksen", "Fernández", "Gallagher", "Haddad", "Hartmann", "Ito", "Jensen", "Kowalski",
    "Lindqvist", "Mensah", "Moreau", "Murphy", "Nakamura", "Novak", "O'Connor", "Patel",
    "Petrov", "Quinn", "Rossi", "Schneider", "Shapiro", "Singh", "Sørensen", "Tanaka",
    "Van der Berg", "Wagner", "Walsh", "Weber", "Whitfield", "Yilmaz", "Zhang", "Okonkwo",
]  # fmt: skip

# (credentials, weight)
TITLES = [("MD", 35), ("MD, PhD", 25), ("Professor", 20), ("RN, NP", 10), ("PharmD", 10)]

# specialty -> therapeutic areas
PHYSICIAN_SPECIALTIES: dict[str, list[str]] = {
    "Cardiology": ["Cardiology"],
    "Heart failure": ["Cardiology"],
    "Interventional cardiology": ["Cardiology"],
    "Nephrology": ["Nephrology"],
    "Cardio-renal medicine": ["Cardiology", "Nephrology"],
    "Endocrinology": ["Endocrinology"],
    "Diabetology": ["Endocrinology", "Nephrology"],
    "Cardio-oncology": ["Cardiology", "Oncology"],
    "Onco-nephrology": ["Nephrology", "Oncology"],
}
NURSE_SPECIALTIES: dict[str, list[str]] = {
    "Nurse practitioner, heart failure": ["Cardiology"],
    "Nurse practitioner, renal": ["Nephrology"],
    "Nurse practitioner, diabetes": ["Endocrinology"],
}
PHARMACIST_SPECIALTIES: dict[str, list[str]] = {
    "Clinical pharmacology": ["Cardiology", "Endocrinology"],
    "Renal pharmacy": ["Nephrology"],
}

MEDICAL_SCHOOLS = [
    "University of Edinburgh", "King's College London", "Karolinska Institutet",
    "Heidelberg University", "Harvard Medical School", "Johns Hopkins University",
    "University of Toronto", "Imperial College London", "University of Copenhagen",
    "Sorbonne Université", "University of Amsterdam", "University of Lagos",
    "All India Institute of Medical Sciences", "University of São Paulo",
    "Trinity College Dublin", "University of Melbourne", "Ludwig Maximilian University",
    "University of Barcelona",
]  # fmt: skip
FELLOWSHIPS: dict[str, list[str]] = {
    "Cardiology": [
        "cardiology fellowship at Brigham and Women's Hospital",
        "heart failure fellowship at Cedars-Sinai",
        "interventional fellowship at Rigshospitalet",
        "research fellowship at the Duke Clinical Research Institute",
    ],
    "Nephrology": [
        "nephrology training at Guy's and St Thomas'",
        "renal fellowship at the Mayo Clinic",
        "clinical research fellowship at the George Institute",
    ],
    "Endocrinology": [
        "endocrinology residency at Charité",
        "diabetes research fellowship at the Joslin Diabetes Center",
        "PhD in epidemiology at the London School of Hygiene & Tropical Medicine",
    ],
    "Oncology": [
        "cardio-oncology fellowship at MD Anderson",
        "onco-nephrology fellowship at Memorial Sloan Kettering",
    ],
}
FROM_WHERE = [
    "Grew up in Lagos, Nigeria",
    "Born and raised in Glasgow",
    "From a farming family in Jutland",
    "Raised in Mumbai; moved to Europe for training",
    "Grew up in rural Ohio",
    "From Porto; came to the city for medical school",
    "Born in Kraków",
    "Grew up in Toronto's east end",
    "From a small town in the Black Forest",
    "Raised in Seoul and Vancouver",
    "From Cork, Ireland",
    "Grew up in Lyon",
    "Born in Istanbul; family moved to Berlin when young",
    "From the Swedish west coast",
    "Grew up in Accra, Ghana",
    "Raised in Buenos Aires",
]
PASSIONS = [
    "Marathon runner",
    "Mentors women in cardiology",
    "Plays cello in a hospital orchestra",
    "Keen sailor",
    "Coaches youth football at weekends",
    "Amateur astronomer",
    "Bakes sourdough and shares it with the ward",
    "Cycles to work year round",
    "Volunteers at a free clinic",
    "Collects first editions of medical history books",
    "Hikes in the Alps every summer",
    "Passionate about health equity in underserved communities",
    "Hosts a podcast for trainees",
    "Enthusiastic birdwatcher",
    "Trains for triathlons",
    "Loves jazz; plays piano",
    "Gardener; grows chillies",
    "Advocates for patient involvement in research design",
]

INTEREST_NOTES: dict[str, list[str]] = {
    Interest.Kind.RESEARCH: [
        "Wants to run an investigator-initiated study on {t}",
        "Building a local registry on {t}",
    ],
    Interest.Kind.CLINICAL_TRIALS: [
        "Site PI on two phase III trials; open to more in {t}",
        "Interested in decentralised trial designs for {t}",
    ],
    Interest.Kind.SPEAKING: [
        "Enjoys speaking at regional congresses about {t}",
        "Asked about speaking at grand rounds on {t}",
    ],
    Interest.Kind.PUBLICATIONS: [
        "Writing a review on {t}",
        "Wants to publish outcomes data on {t}",
    ],
    Interest.Kind.EDUCATION: [
        "Runs the fellows' teaching programme; wants case-based material on {t}",
        "Teaches GPs about {t}",
    ],
    Interest.Kind.CONTENT: [
        "Records short explainer videos for trainees on {t}",
        "Writes a blog for patients on {t}",
    ],
    Interest.Kind.ADVISORY: [
        "Open to advisory boards on {t}",
        "Has sat on national guideline panels for {t}",
    ],
    Interest.Kind.DIGITAL: [
        "Interested in remote monitoring for {t}",
        "Active on LinkedIn discussing {t}",
    ],
    Interest.Kind.DISEASE_AREA: [
        "Clinical focus on {t}",
        "Sees a large {t} cohort in clinic",
    ],
}
ASSUMPTION_SOURCES = [
    "recent publications",
    "the congress programme",
    "a colleague's comment",
    "their LinkedIn activity",
    "the hospital website",
]

# (area, text)
KOL_GOALS = [
    (Goal.Area.MEDICAL, "Lead an investigator-initiated study on {t}"),
    (Goal.Area.PROFESSIONAL, "Be elected to a national society guideline committee"),
    (Goal.Area.PROFESSIONAL, "Publish registry outcomes on {t}"),
    (Goal.Area.MEDICAL, "Set up a nurse-led clinic for {t}"),
    (Goal.Area.PROFESSIONAL, "Step up to head of department within two years"),
    (Goal.Area.PERSONAL, "Spend less time travelling and more time with family"),
    (Goal.Area.PROFESSIONAL, "Secure grant funding for a research fellow working on {t}"),
    (Goal.Area.MEDICAL, "Improve referral pathways from primary care for {t}"),
]
# (area, text, what is in it for the KOL)
OUR_GOALS = [
    (
        Goal.Area.MEDICAL,
        "Understand unmet needs in {t} diagnosis in primary care",
        "Visibility for their registry; a speaking slot at the regional congress",
    ),
    (
        Goal.Area.MEDICAL,
        "Gather insights on real-world management of {t} in their clinic",
        "A forum to shape how evidence is presented to peers",
    ),
    (
        Goal.Area.MEDICAL,
        "Explore interest in an investigator-initiated study on {t}",
        "Support through the IIS process and scientific exchange with our medical team",
    ),
    (
        Goal.Area.MEDICAL,
        "Invite to an advisory board on {t}",
        "Influence on the evidence plan and contact with international peers",
    ),
    (
        Goal.Area.PROFESSIONAL,
        "Connect with their fellows' education programme",
        "Balanced, up-to-date educational material on {t} for their trainees",
    ),
]

FORWARD_REASONS = {
    Stage.DEVELOPING: [
        "Two advisory boards and a shared interest in HFpEF registries",
        "Agreed to regular scientific exchange after the congress symposium",
        "Asked for our support on an IIS concept",
        "Met three times; now reaches out to us with questions",
        "Invited us to present at their departmental meeting",
    ],
    Stage.MAINTAINING: [
        "Long-standing scientific partnership; steady cadence agreed",
        "Co-authored the registry paper; relationship is stable",
        "Regular advisory board member for two years",
        "Trusted two-way exchange; meets quarterly without prompting",
    ],
}
BACKWARD_REASON = "Moved to a new institution; rebuilding the relationship with the new team"

STAGE_AGE_DAYS = {
    Stage.ESTABLISHING: (10, 120),
    Stage.DEVELOPING: (120, 330),
    Stage.MAINTAINING: (330, 720),
}


@dataclass
class InterestSpec:
    kind: str
    area: str
    topic: str
    note: str
    provenance: str
    assumption_status: str
    days_ago: int


@dataclass
class GoalSpec:
    whose: str
    area: str
    text: str
    status: str
    in_it_for_kol: str
    provenance: str
    assumption_status: str
    days_ago: int


@dataclass
class KolSpec:
    owner_email: str
    data: dict
    areas: list[str]
    stage: str
    # Stages after "establishing", in order, with reasons; empty: created at `stage` directly.
    history: list[tuple[str, str]]
    age_days: int
    interests: list[InterestSpec] = field(default_factory=list)
    goals: list[GoalSpec] = field(default_factory=list)
    archived: bool = False
    msl2_collaborates: bool = False


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    return "".join(c for c in decomposed.encode("ascii", "ignore").decode() if c.isalnum())


def _in_sentence(topic: str) -> str:
    """'Heart failure ...' -> 'heart failure ...', but 'SGLT2 inhibitors' stays."""
    if len(topic) > 1 and topic[1].isupper():
        return topic
    return topic[0].lower() + topic[1:]


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
                "email": f"{_ascii(first).lower()}.{_ascii(last).lower()}@example.org",
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
            note = rng.choice(INTEREST_NOTES[kind]).format(t=_in_sentence(topic))
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
                    text=text.format(t=_in_sentence(topic)),
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
                    text=text.format(t=_in_sentence(topic)),
                    status=rng.choice(goal_statuses),
                    in_it_for_kol=in_it.format(t=_in_sentence(topic)),
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
        "Create demo users, a team and about 60 KOLs. Safe to run again: adds only what is missing."
    )

    def handle(self, *args, **options):
        self.created: dict[str, int] = {}
        with transaction.atomic():
            users = self._users()
            topics = self._vocabulary()
            self._kols(users, topics)
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

    def _kols(self, users: dict[str, User], topics: dict) -> None:
        areas = {area.name: area for area in TherapeuticArea.objects.filter(name__in=AREAS)}
        now = timezone.now()
        for spec in build_specs():
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
        write("")
        write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, display_name, _, role in TEAM_USERS:
            write(f"  {email:<28} {display_name:<15} {Membership.Role(role).label}")
        write(f"  {ADMIN_EMAIL:<28} {'Demo Admin':<15} Admin (staff, superuser)")
