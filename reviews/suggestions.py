"""Stage suggestions: where the evidence says a relationship stands. Shown, never applied.

Pure: no database, no clock. The board's selector builds an `Evidence` per KOL; `suggest`
runs the rules below in order and the first that fires wins. A KOL whose evidence agrees
with its recorded stage gets None.

The rules, in order (thresholds are the constants under them):
1. Any stage: no contact for more than 2 cadences -> at risk.
2. Maintaining: no two-way touchpoint for more than 1.5 cadences -> developing
   (regular check-ins are what maintaining means; without them trust needs rebuilding).
3. Establishing: >= 3 two-way touchpoints and >= 1 give in 90 days, and >= 1 stated goal
   -> developing (we have talked, given, and learnt what they value).
4. Developing: >= 6 two-way touchpoints and >= 2 gives in 90 days, and >= 2 stated goals
   -> maintaining (a conversation every two weeks or so, gives about monthly, and their
   goals known well enough to plan around: ready for regular, planned engagement).
"""

from collections.abc import Callable
from dataclasses import dataclass

from contacts.models import Stage

AT_RISK = "at_risk"
WINDOW_DAYS = 90

AT_RISK_CADENCES = 2
QUIET_MAINTAINING_CADENCES = 1.5
ESTABLISHING_TWO_WAY, ESTABLISHING_GIVES, ESTABLISHING_GOALS = 3, 1, 1
DEVELOPING_TWO_WAY, DEVELOPING_GIVES, DEVELOPING_GOALS = 6, 2, 2


@dataclass(frozen=True)
class Evidence:
    """What we know about one relationship, as of one day."""

    stage: str
    two_way_touchpoints: int  # in the last 90 days; two-way: not Touchpoint.ONE_WAY_KINDS
    gives: int  # in the last 90 days
    stated_goals: int  # the KOL's goals they told us (or assumptions they confirmed)
    days_since_contact: int  # since the last interaction, or since the KOL was added
    days_since_two_way: int  # since the last two-way touchpoint, or since the KOL was added
    cadence_days: int


@dataclass(frozen=True)
class Suggestion:
    stage: str  # a Stage value, or AT_RISK
    reason: str

    @property
    def is_at_risk(self) -> bool:
        return self.stage == AT_RISK

    @property
    def label(self) -> str:
        return "At risk" if self.is_at_risk else Stage(self.stage).label


Rule = Callable[[Evidence], Suggestion | None]


def no_contact_in_two_cadences(e: Evidence) -> Suggestion | None:
    if e.days_since_contact > AT_RISK_CADENCES * e.cadence_days:
        return Suggestion(AT_RISK, "no contact in 2 cadences: at risk")
    return None


def maintaining_gone_quiet(e: Evidence) -> Suggestion | None:
    if (
        e.stage == Stage.MAINTAINING
        and e.days_since_two_way > QUIET_MAINTAINING_CADENCES * e.cadence_days
    ):
        return Suggestion(
            Stage.DEVELOPING, "no two-way touchpoint in 1.5 cadences: suggest developing"
        )
    return None


def establishing_ready_to_develop(e: Evidence) -> Suggestion | None:
    if (
        e.stage == Stage.ESTABLISHING
        and e.two_way_touchpoints >= ESTABLISHING_TWO_WAY
        and e.gives >= ESTABLISHING_GIVES
        and e.stated_goals >= ESTABLISHING_GOALS
    ):
        return Suggestion(
            Stage.DEVELOPING,
            "three two-way touchpoints and a give in 90 days, stated goals recorded: "
            "suggest developing",
        )
    return None


def developing_ready_to_maintain(e: Evidence) -> Suggestion | None:
    if (
        e.stage == Stage.DEVELOPING
        and e.two_way_touchpoints >= DEVELOPING_TWO_WAY
        and e.gives >= DEVELOPING_GIVES
        and e.stated_goals >= DEVELOPING_GOALS
    ):
        return Suggestion(
            Stage.MAINTAINING,
            "six two-way touchpoints and two gives in 90 days, two stated goals recorded: "
            "suggest maintaining",
        )
    return None


RULES: tuple[Rule, ...] = (
    no_contact_in_two_cadences,
    maintaining_gone_quiet,
    establishing_ready_to_develop,
    developing_ready_to_maintain,
)


def suggest(evidence: Evidence) -> Suggestion | None:
    """The first rule that disagrees with the recorded stage, else None."""
    for rule in RULES:
        suggestion = rule(evidence)
        if suggestion is not None:
            return suggestion
    return None
