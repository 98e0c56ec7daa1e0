"""Who the demo is about: team, vocabulary, the KOLs' lists (congresses and what KOLs say
are in `demo.talk`).

Data only (plus the spec dataclasses and two text helpers): `seed_demo` and
`demo.engagements` build the demo from these lists with seeded `random.Random`s, so changing
a list changes the demo people and their history.
"""

import unicodedata
from dataclasses import dataclass, field

from accounts.models import Membership
from contacts.models import Goal, Interest, Stage

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


def ascii_only(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    return "".join(c for c in decomposed.encode("ascii", "ignore").decode() if c.isalnum())


def in_sentence(topic: str) -> str:
    """'Heart failure ...' -> 'heart failure ...', but 'SGLT2 inhibitors' stays."""
    if len(topic) > 1 and topic[1].isupper():
        return topic
    return topic[0].lower() + topic[1:]
