"""Demo engagement history for `seed_demo`: touchpoints, follow-ups, gives, asks, plans.

Written only for KOLs without touchpoints, so a second run changes nothing and a database
seeded by an older version gains history. Each KOL's history comes from its own
`random.Random(f"2026-{name}")` and stays within the relationship's age and the last 18 months.
"""

import datetime
import random
from collections import Counter

from django.utils import timezone

from contacts.models import Kol, Stage, Topic
from demo import phrases
from demo.people import in_sentence
from demo.phrases import G, K
from demo.talk import CONGRESSES, TOPIC_TALK
from engagements.models import Ask, EngagementPlan, FollowUp, Give, Question, Touchpoint
from engagements.services.interactions import kol_refresh_last_interaction
from engagements.services.touchpoints import thank_you_text

HISTORY_DAYS = 548  # 18 months
ASK_HEAVY_COUNT = 5
TOUCHPOINTS = {Stage.ESTABLISHING: (1, 3), Stage.DEVELOPING: (3, 6), Stage.MAINTAINING: (6, 10)}
GIVE_EVERY_DAYS = {Stage.ESTABLISHING: 75, Stage.DEVELOPING: 50, Stage.MAINTAINING: 30}


def ask_heavy_names(names: list[str]) -> set[str]:
    """The few demo KOLs whose relationship asks more than it gives (the ledger warns)."""
    return set(random.Random("2026-ask-heavy").sample(sorted(names), ASK_HEAVY_COUNT))


def seed_engagements(kols: list[Kol], *, ask_heavy: set[str], now) -> Counter:
    """Write the history of every KOL in `kols` that has no touchpoint yet; count what was made."""
    with_history = set(
        Touchpoint.objects.filter(kol__in=kols).values_list("kol_id", flat=True).distinct()
    )
    todo = [kol.pk for kol in kols if kol.pk not in with_history]
    made: Counter = Counter()
    if not todo:
        return made
    questions = list(Question.objects.filter(owner=None).order_by("pk"))
    has_plan = set(EngagementPlan.objects.filter(kol__in=todo).values_list("kol_id", flat=True))
    fresh = (
        Kol.objects.filter(pk__in=todo)
        .select_related("owner")
        .prefetch_related("therapeutic_areas", "interests__topic", "collaborations__user")
        .order_by("name", "pk")
    )
    for kol in fresh:
        history = KolHistory(kol, questions=questions, now=now, ask_heavy=kol.name in ask_heavy)
        made += history.write(with_plan=kol.pk not in has_plan)
        kol_refresh_last_interaction(kol=kol)
    return made


class KolHistory:
    """One KOL's history, built in memory and written with a few bulk inserts."""

    def __init__(self, kol: Kol, *, questions: list[Question], now, ask_heavy: bool):
        self.kol, self.questions, self.now, self.ask_heavy = kol, questions, now, ask_heavy
        self.rng = random.Random(f"2026-{kol.name}")
        self.today = timezone.localdate(now)
        self.start = max(kol.created_at, now - datetime.timedelta(days=HISTORY_DAYS))
        self.first_day = timezone.localdate(self.start)
        self.interests = [i for i in kol.interests.all() if i.topic_id]
        self.topics: list[Topic] = list({i.topic_id: i.topic for i in self.interests}.values())
        if not self.topics:
            areas = [area.pk for area in kol.therapeutic_areas.all()]
            self.topics = list(Topic.objects.filter(area__in=areas).order_by("pk")[:3])
        self.areas = {area.name for area in kol.therapeutic_areas.all()}
        self.people = [kol.owner] + [c.user for c in kol.collaborations.all()]
        self.said_used: set[str] = set()

    # Helpers -----------------------------------------------------------------------------
    def at(self, day: datetime.date) -> datetime.datetime:
        """A working-hours moment on `day`, never before the relationship or after now."""
        hour, minute = self.rng.randint(8, 17), self.rng.choice([0, 15, 30, 45])
        moment = datetime.datetime.combine(
            day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
        )
        return min(max(moment, self.start), self.now - datetime.timedelta(minutes=30))

    def day_between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        return low + datetime.timedelta(days=self.rng.randint(0, max((high - low).days, 0)))

    def topic_words(self, topic: Topic) -> dict[str, str]:
        resource = TOPIC_TALK.get(topic.name, (f"the latest review on {topic.name}",))[0]
        return {"t": in_sentence(topic.name), "r": resource}

    def congresses(self, low: datetime.date, high: datetime.date) -> list[tuple]:
        """(day, 'ESC Congress 2026, Munich') for congresses in the KOL's areas in [low, high]."""
        found = []
        for area, name, month, day, cities in CONGRESSES:
            for year in range(low.year, high.year + 1):
                when = datetime.date(year, month, day)
                if area in self.areas and low <= when <= high:
                    city = cities.get(year)
                    found.append((when, f"{name} {year}, {city}" if city else f"{name} {year}"))
        return sorted(found)

    # The history ---------------------------------------------------------------------------
    def write(self, *, with_plan: bool) -> Counter:
        touchpoints = self.touchpoints()
        Touchpoint.objects.bulk_create(touchpoints)
        self.link(touchpoints)
        follow_ups = self.follow_ups(touchpoints)
        FollowUp.objects.bulk_create(follow_ups)
        gives, asks = self.gives_and_asks(touchpoints[-1].occurred_at.date())
        Give.objects.bulk_create(gives)
        Ask.objects.bulk_create(asks)
        made = Counter(touchpoints=len(touchpoints), gives=len(gives), asks=len(asks))
        made["follow-ups"] = len(follow_ups)
        wants_plan = self.kol.stage != Stage.ESTABLISHING and not self.kol.is_archived
        if with_plan and wants_plan and self.rng.random() < 0.5:
            self.plan()
            made["engagement plans"] += 1
        return made

    def last_day(self) -> datetime.date:
        """Most relationships are on track, some due soon, about a fifth overdue."""
        cadence, roll = self.kol.cadence, self.rng.random()
        if self.kol.is_archived:
            gap = self.rng.randint(60, 120)
        elif roll < 0.2:
            gap = cadence + self.rng.randint(3, cadence // 2)
        elif roll < 0.3:
            gap = cadence - self.rng.randint(0, 6)
        else:
            gap = self.rng.randint(1, cadence * 2 // 3)
        return max(self.today - datetime.timedelta(days=gap), self.first_day)

    def touchpoints(self) -> list[Touchpoint]:
        rng, last = self.rng, self.last_day()
        low, high = TOUCHPOINTS[self.kol.stage]
        count = rng.randint(low, high)
        # The first contact soon after the KOL was added, the last one on `last`.
        soon = min(last, self.first_day + datetime.timedelta(days=3))
        days = [self.day_between(self.first_day, soon)] if count > 1 else []
        days += [self.day_between(self.first_day, last) for _ in range(count - 2)] + [last]
        kinds = rng.choices(
            list(phrases.KIND_WEIGHTS), list(phrases.KIND_WEIGHTS.values()), k=count
        )
        before_last = self.congresses(self.first_day, last - datetime.timedelta(days=1))
        plan = []
        for i, (day, kind) in enumerate(zip(days, kinds, strict=True)):
            where = ""
            if kind in phrases.AT_CONGRESS:
                # The last contact stays on `last` (it sets the check-in clock): not at a congress.
                options = before_last if i < count - 1 else []
                if options:
                    day, where = rng.choice(options)
                else:
                    kind = K.MEETING
            plan.append((day, kind, where))
        plan.sort(key=lambda item: item[0])
        return [self.touchpoint(n, *item) for n, item in enumerate(plan)]

    def where(self, kind: str) -> str:
        kol = self.kol
        return {
            K.MEETING: f"{kol.institution}, {kol.city}",
            K.PRACTICE_VISIT: f"Their clinic at {kol.institution}",
            K.VIRTUAL: self.rng.choice(["Teams call", "Zoom call"]),
            K.ADVISORY_BOARD: f"Regional advisory board, {kol.city}",
            K.INVESTIGATOR_MEETING: "Investigator meeting, Amsterdam",
            K.SPEAKER_TRAINING: f"Speaker training, {kol.city}",
            K.DIGITAL: "LinkedIn",
        }.get(kind, "")

    def they_said(self, topic: Topic) -> str:
        rng, words = self.rng, self.topic_words(topic)
        options = list(TOPIC_TALK.get(topic.name, ())[1:]) or [phrases.PERSONAL_SAID[0]]
        fresh = [s for s in options if s not in self.said_used] or options
        said = rng.sample(fresh, min(len(fresh), rng.choice([1, 1, 2])))
        if rng.random() < 0.35:
            said.append(rng.choice(phrases.PERSONAL_SAID))
        self.said_used.update(said)
        return ". ".join(s.format(**words) for s in said) + "."

    def touchpoint(self, n: int, day: datetime.date, kind: str, where: str) -> Touchpoint:
        rng = self.rng
        topics = rng.sample(self.topics, min(len(self.topics), rng.choice([1, 1, 2])))
        words = self.topic_words(topics[0])
        conversation = kind not in Touchpoint.ONE_WAY_KINDS
        if n == 0 and conversation and self.start == self.kol.created_at:
            summary = phrases.FIRST_SUMMARY
        else:
            summary = rng.choice(phrases.SUMMARIES.get(kind, phrases.SUMMARIES[None]))
        feedback, criticism = "", False
        if rng.random() < 0.25:
            criticism = rng.random() < 0.4
            feedback = rng.choice(phrases.CRITICISM if criticism else phrases.PRAISE)
        steps = []
        if conversation and rng.random() < 0.4:
            steps = rng.sample(phrases.NEXT_STEPS, rng.choice([1, 1, 2]))
        occurred_at = self.at(day)
        touchpoint = Touchpoint(
            kol=self.kol,
            by=self.people[-1] if len(self.people) > 1 and rng.random() < 0.3 else self.people[0],
            occurred_at=occurred_at,
            kind=kind,
            where=where or self.where(kind),
            summary=summary.format(**words),
            they_said=self.they_said(topics[0]) if conversation or rng.random() < 0.5 else "",
            feedback=feedback,
            is_criticism=criticism,
            questions_text=rng.choice(phrases.QUESTIONS_TEXT) if rng.random() < 0.1 else "",
            next_steps="\n".join(dict.fromkeys(s.format(**words) for s in steps)),
            created_at=min(occurred_at + datetime.timedelta(hours=rng.randint(1, 6)), self.now),
        )
        touchpoint.demo_topics = topics
        return touchpoint

    def link(self, touchpoints: list[Touchpoint]) -> None:
        """Touchpoint topics, and the bank questions asked in some conversations."""
        topic_rows, question_rows = [], []
        TopicLink, QuestionLink = Touchpoint.topics.through, Touchpoint.questions.through
        for touchpoint in touchpoints:
            for topic in touchpoint.demo_topics:
                topic_rows.append(TopicLink(touchpoint_id=touchpoint.pk, topic_id=topic.pk))
            if self.questions and touchpoint.is_conversation and self.rng.random() < 0.35:
                for question in self.rng.sample(self.questions, self.rng.choice([1, 2])):
                    question_rows.append(
                        QuestionLink(touchpoint_id=touchpoint.pk, question_id=question.pk)
                    )
        TopicLink.objects.bulk_create(topic_rows)
        QuestionLink.objects.bulk_create(question_rows)

    def follow_up(self, kind, text, due, *, source=None, created_at=None) -> FollowUp:
        """Past due: done shortly after (a few skipped); today or later: open."""
        if created_at is None:
            created_at = source.created_at if source else self.at(due - datetime.timedelta(days=3))
        status, done_at = FollowUp.Status.OPEN, None
        if due < self.today:
            skipped = kind == FollowUp.Kind.PROMISED_RESOURCE and self.rng.random() < 0.08
            status = FollowUp.Status.SKIPPED if skipped else FollowUp.Status.DONE
            done_at = max(
                self.at(due + datetime.timedelta(days=self.rng.randint(0, 2))), created_at
            )
        return FollowUp(
            kol=self.kol,
            owner=source.by if source else self.kol.owner,
            due_on=due,
            kind=kind,
            text=text,
            status=status,
            done_at=done_at,
            source_touchpoint=source,
            created_at=created_at,
        )

    def follow_ups(self, touchpoints: list[Touchpoint]) -> list[FollowUp]:
        rows, rng, today, F = [], self.rng, self.today, FollowUp.Kind
        for tp in touchpoints:
            day = timezone.localdate(tp.occurred_at)
            if tp.is_conversation:
                due = day + datetime.timedelta(days=2)
                rows.append(self.follow_up(F.THANK_YOU, thank_you_text(tp), due, source=tp))
            for step in tp.next_steps.splitlines():
                due = day + datetime.timedelta(days=rng.randint(3, 14))
                rows.append(self.follow_up(F.PROMISED_RESOURCE, step, due, source=tp))
        if self.kol.is_archived:
            return rows
        words = self.topic_words(rng.choice(self.topics))
        roll = rng.random()
        if roll < 0.22 and today - datetime.timedelta(days=3) >= self.first_day:
            # About a fifth of KOLs have a follow-up that slipped (due 3-20 days ago).
            low = max(today - datetime.timedelta(days=20), self.first_day)
            late = [f for f in rows if low <= f.due_on <= today - datetime.timedelta(days=3)]
            if late:
                slipped = late[-1]
            else:
                due = self.day_between(low, today - datetime.timedelta(days=3))
                earlier = [t for t in touchpoints if timezone.localdate(t.occurred_at) <= due]
                source = earlier[-1] if earlier else None
                text = "Send {r}".format(**words)
                slipped = self.follow_up(F.PROMISED_RESOURCE, text, due, source=source)
                rows.append(slipped)
            slipped.status, slipped.done_at = FollowUp.Status.OPEN, None
        elif roll < 0.37:
            text = "Send the monthly literature summary on {t}".format(**words)
            rows.append(self.follow_up(F.GIVE, text, today))
        elif roll < 0.75:
            kind, text = rng.choice(
                [
                    (F.GIVE, "Send the congress overview on {t}"),
                    (F.CHECK_IN, "Check in: ask how their {t} work is going"),
                    (F.OTHER, "Confirm the agenda for our next meeting on {t}"),
                ]
            )
            due = today + datetime.timedelta(days=rng.randint(1, 30))
            rows.append(self.follow_up(kind, text.format(**words), due, created_at=self.at(today)))
        return rows

    def gives_and_asks(self, last: datetime.date) -> tuple[list[Give], list[Ask]]:
        rng, since = self.rng, self.today - datetime.timedelta(days=365)
        age = (last - self.first_day).days
        every = GIVE_EVERY_DAYS[self.kol.stage]
        count = round(age / every * rng.uniform(0.7, 1.1)) + rng.randint(0, 1)
        kinds = [G.LITERATURE] * 8 + [G.CONGRESS_OVERVIEW] * 3 + [G.RESOURCE] * 2
        kinds += [G.INTRODUCTION] + [
            kind
            for kind, wanted in phrases.OPPORTUNITY_FOR.items()
            if any(i.kind in wanted for i in self.interests)
        ]
        gives = []
        for _ in range(count):
            kind, topic = rng.choice(kinds), rng.choice(self.topics)
            day = self.day_between(self.first_day, last)
            congresses = self.congresses(self.first_day, day)
            if kind == G.CONGRESS_OVERVIEW and not congresses:
                kind = G.LITERATURE
            note = phrases.GIVE_NOTES[kind].format(
                c=congresses[-1][1] if congresses else "", **self.topic_words(topic)
            )
            response = ""
            if rng.random() < 0.4:
                response = rng.choice(
                    phrases.OPPORTUNITY_RESPONSES
                    if kind in phrases.OPPORTUNITY_FOR
                    else phrases.RESPONSES
                )
            gives.append(
                Give(
                    kol=self.kol,
                    by=self.kol.owner,
                    kind=kind,
                    topic=topic,
                    given_on=day,
                    note=note,
                    response=response,
                    created_at=self.at(day),
                )
            )
        if self.ask_heavy:
            # The giving stopped: at most two gives in the last 12 months.
            recent = [give for give in gives if give.given_on >= since]
            gives = [give for give in gives if give.given_on < since] + recent[: rng.randint(0, 2)]
        gives_12m = sum(give.given_on >= since for give in gives)
        if self.ask_heavy:
            count = gives_12m + rng.randint(1, 3)
            low = max(since, self.first_day)
        else:
            count = rng.randint(0, max(len(gives) // 3, 0))
            low = self.first_day
        asks = []
        for _ in range(count):
            kind, topic = rng.choice(list(phrases.ASKS)), rng.choice(self.topics)
            day = self.day_between(low, last)
            outcome = rng.choice(phrases.ASK_OUTCOMES) if rng.random() < 0.6 else ""
            asks.append(
                Ask(
                    kol=self.kol,
                    by=self.kol.owner,
                    kind=kind,
                    in_it_for_kol=phrases.ASKS[kind].format(**self.topic_words(topic)),
                    asked_on=day,
                    outcome=outcome,
                    created_at=self.at(day),
                )
            )
        if not self.ask_heavy:
            # Give-heavy: never more asks than gives in the ledger's last 12 months.
            old = [ask for ask in asks if ask.asked_on < since]
            asks = old + [ask for ask in asks if ask.asked_on >= since][:gives_12m]
        return gives, asks

    def plan(self) -> None:
        rng, kol = self.rng, self.kol
        words = [self.topic_words(topic) for topic in self.topics]
        objectives = [
            o.format(**rng.choice(words)) for o in rng.sample(phrases.OBJECTIVES, rng.randint(2, 3))
        ]
        built = rng.random() < 0.5
        who = [f"{kol.owner.display_name}: MSL, main contact"]
        who += [f"{user.display_name}: co-MSL" for user in self.people[1:]]
        if rng.random() < 0.4:
            who.append("Medical director: advisory boards and IIS discussions")
        EngagementPlan.objects.create(
            kol=kol,
            objectives="\n".join(objectives),
            built_with_kol=built,
            kol_input=rng.choice(phrases.KOL_INPUT) if built else "",
            who_interacts="\n".join(who),
            outcome_measures="\n".join(
                m.format(**rng.choice(words)) for m in rng.sample(phrases.MEASURES, 2)
            ),
            next_review_on=self.today + datetime.timedelta(days=rng.randint(-20, 120)),
            updated_by=kol.owner,
        )
