"""Demo events and opportunities, so their pages and the digest's nudges have something."""

import datetime

from accounts.models import User
from contacts.models import Kol, Topic
from events.models import Event, Opportunity

# (name, days from today to start, length in days, location, topic names)
EVENTS = [
    (
        "ESC Congress 2026",
        -80,
        4,
        "Munich",
        [
            "Heart failure with preserved ejection fraction",
            "SGLT2 inhibitors",
            "Atrial fibrillation",
        ],
    ),
    (
        "ASN Kidney Week 2026",
        -10,
        4,
        "Denver",
        ["Chronic kidney disease progression", "Hyperkalaemia", "Diabetic kidney disease"],
    ),
    ("AHA Scientific Sessions 2026", -5, 3, "Chicago", ["Lipid management", "Cardiac amyloidosis"]),
    ("ERA Congress 2027", 190, 4, "Vienna", ["Anaemia in CKD", "Dialysis outcomes"]),
]
# (kind, title, description, topic names, days to deadline or None)
OPPORTUNITIES = [
    (
        "speaking",
        "Grand rounds talk: HFpEF in primary care",
        "A 45-minute talk for GPs and cardiology fellows.",
        ["Heart failure with preserved ejection fraction"],
        45,
    ),
    (
        "publication",
        "Review article: hyperkalaemia management in CKD",
        "Co-authorship of a narrative review with two nephrologists.",
        ["Hyperkalaemia"],
        60,
    ),
    (
        "advisory",
        "Advisory board: real-world evidence programme",
        "Half-day board on the design of a registry.",
        ["Real-world evidence"],
        30,
    ),
    (
        "study",
        "Investigator for a diabetic kidney disease registry",
        "Sites sought in Europe.",
        ["Diabetic kidney disease"],
        None,
    ),
]


def seed_events_and_opportunities(*, by: User, today: datetime.date) -> dict[str, int]:
    """Idempotent: events and opportunities are found by name."""
    topics = {t.name: t for t in Topic.objects.all()}
    made = {"events": 0, "opportunities": 0}
    for name, start, length, location, topic_names in EVENTS:
        starts_on = today + datetime.timedelta(days=start)
        event, created = Event.objects.get_or_create(
            name=name,
            defaults={
                "starts_on": starts_on,
                "location": location,
                "created_by": by,
                "ends_on": starts_on + datetime.timedelta(days=length - 1),
            },
        )
        if created:
            event.topics.set([topics[t] for t in topic_names if t in topics])
            event.areas.set({topics[t].area for t in topic_names if t in topics})
            # Some of the KOLs who care about these topics were there; others missed it.
            attendees = Kol.objects.filter(interests__topic__name__in=topic_names).distinct()
            event.attendees.set(list(attendees.order_by("name")[::3]))
            made["events"] += 1
    for kind, title, description, topic_names, days in OPPORTUNITIES:
        opportunity, created = Opportunity.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "description": description,
                "created_by": by,
                "deadline": today + datetime.timedelta(days=days) if days else None,
            },
        )
        if created:
            opportunity.topics.set([topics[t] for t in topic_names if t in topics])
            made["opportunities"] += 1
    return made
