"""Which column holds which field, and whether each row can be imported: validated, and
matched against the file's earlier rows and the KOLs the user can see (duplicates)."""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import User
from contacts.models import ImportJob, Stage, TherapeuticArea, Topic
from contacts.selectors import kols_for_user

PREVIEW_ROWS = 10


# Mapping ------------------------------------------------------------------------------

FIELDS = {
    "name": "Name",
    "credentials": "Title or credentials (Dr, Prof, MD)",
    "institution": "Institution",
    "specialty": "Specialty",
    "email": "Email",
    "phone": "Phone",
    "city": "City",
    "country": "Country",
    "interests": "Interests (topics, separated by ;)",
    "stage": "Stage",
    "last_contact": "Last contact date",
    "therapeutic_areas": "Therapeutic areas (separated by , or ;)",
    # Kol has no free notes field: notes become the profile's background text.
    "passions": "Notes (saved as the KOL's passions and background)",
}
SYNONYMS = {
    "name": ["name", "full name", "fullname", "kol", "kol name", "contact", "contact name"],
    "institution": ["institution", "hospital", "organisation", "organization", "affiliation"],
    "specialty": ["specialty", "speciality", "specialism", "discipline"],
    "email": ["email", "e-mail", "email address", "e-mail address", "mail"],
    "city": ["city", "town"],
    "country": ["country"],
    "interests": ["interests", "interest", "topics", "topic", "areas of interest"],
    "stage": ["stage", "relationship stage"],
    "last_contact": [
        *("last contact", "last contact date", "last contacted", "last interaction"),
        "last touchpoint",
    ],
    "credentials": [
        "title",
        "credentials",
        "salutation",
        "prefix",
        "degrees",
        "credentials / title",
    ],
    "phone": ["phone", "telephone", "tel", "phone number", "mobile", "mobile phone"],
    "therapeutic_areas": ["therapeutic areas", "therapeutic area", "areas", "ta"],
    "passions": ["notes", "note", "comments", "comment", "background", "passions"],
}
MAX_LENGTHS = {"name": 200, "institution": 200, "specialty": 120, "email": 254, "city": 100}
MAX_LENGTHS |= {"country": 100, "credentials": 120, "phone": 40, "passions": 5000}
# A title written before a name ("Dr Amara Nwosu", "Prof. Dr. Ito"): it goes to credentials,
# so the name sorts by itself.
TITLES = re.compile(r"^((?:(?:dr|prof|professor|mr|mrs|ms|mx|sir|dame)\.?\s+)+)(?=\S)", re.I)


def _normalise(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Our field -> column index, guessed from the header names (first match wins)."""
    guesses: dict[str, int] = {}
    for index, header in enumerate(headers):
        normal = _normalise(header)
        for our_field, names in SYNONYMS.items():
            if our_field not in guesses and normal in names:
                guesses[our_field] = index
                break
    return guesses


def columns_of(job: ImportJob) -> dict[str, int]:
    return {k: int(v) for k, v in (job.mapping or {}).get("columns", {}).items()}


# Validating ---------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the line in the file: the header is line 1
    values: dict[str, Any]
    topics: list[Topic] = field(default_factory=list)
    unknown_topics: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    areas: list[TherapeuticArea] = field(default_factory=list)
    unknown_areas: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # pk of an existing KOL this row matches
    duplicate_label: str = ""
    action: str = "create"  # create | update | skip

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def parse_date(text: str) -> datetime.date | datetime.datetime:
    """A day, or a day and time as our exports write them (the owner's local time)."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def split_title(name: str, credentials: str) -> tuple[str, str]:
    """("Dr Amara Nwosu", "") -> ("Amara Nwosu", "Dr"); a credentials column is kept after it."""
    match = TITLES.match(name)
    if not match:
        return name, credentials
    title = " ".join(match.group(1).split())
    if title.lower() in credentials.lower():
        return name[match.end() :], credentials
    return name[match.end() :], ", ".join(filter(None, (title, credentials)))


class Checker:
    """Validates rows against the file so far and the KOLs the user can see (two queries)."""

    def __init__(self, *, user: User, update_duplicates: bool):
        self.user = user
        self.update_duplicates = update_duplicates
        self.by_email: dict[str, tuple[int, int, str]] = {}
        self.by_name: dict[tuple[str, str], tuple[int, int, str]] = {}
        self.seen_email: dict[str, int] = {}
        self.seen_name: dict[tuple[str, str], int] = {}
        visible = kols_for_user(user, archived=None).values_list(
            "pk", "owner_id", "name", "institution", "email"
        )
        for pk, owner_id, name, institution, email in visible:
            self.remember(pk, owner_id, name, institution, email)
        self.topics: dict[str, Topic] = {}
        for topic in Topic.objects.order_by("-area__name", "-pk"):  # first area wins
            self.topics[topic.name.lower()] = topic
        self.areas = {area.name.lower(): area for area in TherapeuticArea.objects.all()}

    def remember(self, pk: int, owner_id: int, name: str, institution: str, email: str) -> None:
        entry = (pk, owner_id, name)
        if email:
            self.by_email.setdefault(email.lower(), entry)
        # "Dr Ada" saved before titles were split off is the same person as "Ada".
        self.by_name.setdefault((split_title(name, "")[0].lower(), institution.lower()), entry)

    def check(self, number: int, raw: list[str], columns: dict[str, int]) -> Row:
        values = {f: (raw[i] if i < len(raw) else "").strip() for f, i in columns.items()}
        row = Row(number=number, values=values)
        if "name" in values:
            values["name"], credentials = split_title(values["name"], values.get("credentials", ""))
            if credentials:
                values["credentials"] = credentials
        if not values.get("name"):
            row.problems.append("name is missing")
        for name, limit in MAX_LENGTHS.items():
            if len(values.get(name, "")) > limit:
                row.problems.append(f"{FIELDS[name].lower()} is longer than {limit} characters")
        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.problems.append(f"email “{email}” is not a valid address")
        stage = values.get("stage", "").lower()
        if stage and stage not in Stage.values:
            row.problems.append(
                f"stage “{values['stage']}” is not establishing, developing or maintaining"
            )
        values["stage"] = stage  # empty: a new KOL starts establishing, an update keeps it
        when = values.get("last_contact", "")
        values["last_contact"] = None
        if when:
            try:
                values["last_contact"] = parse_date(when)
            except ValueError:
                row.problems.append(
                    f"last contact date “{when}” is not a date (use 2025-03-31 or 31/03/2025)"
                )
        for name in filter(None, (n.strip() for n in values.get("interests", "").split(";"))):
            topic = self.topics.get(name.lower())
            if topic is None:
                row.unknown_topics.append(name)
            elif topic not in row.topics:
                row.topics.append(topic)
        for name in filter(
            None, map(str.strip, re.split("[,;]", values.get("therapeutic_areas", "")))
        ):
            area = self.areas.get(name.lower())
            if area is None:
                row.unknown_areas.append(name)
            elif area not in row.areas:
                row.areas.append(area)
        if row.problems:
            row.action = "skip"
            return row
        self._check_duplicates(row)
        return row

    def _check_duplicates(self, row: Row) -> None:
        email = row.values.get("email", "").lower()
        key = (row.values["name"].lower(), row.values.get("institution", "").lower())
        earlier = (email and self.seen_email.get(email)) or self.seen_name.get(key)
        if earlier:
            row.problems.append(f"duplicate of row {earlier} in this file")
            row.action = "skip"
            return
        if email:
            self.seen_email[email] = row.number
        self.seen_name[key] = row.number
        match, how = (self.by_email.get(email), "email") if email else (None, "")
        if match is None:
            match, how = self.by_name.get(key), "name and institution"
        if match is None:
            return
        pk, owner_id, name = match
        row.duplicate_of, row.duplicate_label = pk, name
        if self.update_duplicates and owner_id == self.user.pk:
            row.action = "update"
        elif self.update_duplicates:
            row.problems.append(f"already here as {name} (same {how}), owned by someone else")
            row.action = "skip"
        else:
            row.problems.append(f"already here as {name} (same {how})")
            row.action = "skip"


def preview(job: ImportJob, *, columns: dict[str, int], update_duplicates: bool) -> list[Row]:
    checker = Checker(user=job.owner, update_duplicates=update_duplicates)
    return [checker.check(n + 2, raw, columns) for n, raw in enumerate(job.rows[:PREVIEW_ROWS])]


def unknown_topics(job: ImportJob) -> dict[str, int]:
    """Interest names in the file that are not in the shared vocabulary: name -> rows."""
    column = columns_of(job).get("interests")
    if column is None:
        return {}
    known = {name.lower() for name in Topic.objects.values_list("name", flat=True)}
    found: dict[str, int] = {}
    for raw in job.rows:
        for name in filter(None, (n.strip() for n in raw[column].split(";"))):
            if name.lower() not in known:
                found[name] = found.get(name, 0) + 1
    return found
