"""What the demo's engagement history says: touchpoint kinds and texts, give notes and
responses, asks, plan texts. Data only, read by `demo.engagements`."""

from contacts.models import Interest
from engagements.models import Ask, Give, Touchpoint

K = Touchpoint.Kind
KIND_WEIGHTS = {
    K.MEETING: 18, K.CONGRESS: 12, K.ADVISORY_BOARD: 5, K.VIRTUAL: 14, K.PHONE: 12,
    K.PRACTICE_VISIT: 8, K.INVESTIGATOR_MEETING: 2, K.SPEAKER_TRAINING: 2, K.SOCIAL_EVENT: 2,
    K.EMAIL: 10, K.DIGITAL: 7,
}  # fmt: skip
AT_CONGRESS = {K.CONGRESS, K.SOCIAL_EVENT}

PERSONAL_SAID = [
    "Fellows keep asking for case-based teaching on {t}",
    "Has an IIS idea on {t} but no statistician; asked how our IIS process works",
    "Would speak on {t} at the regional meeting if the content is theirs, not ours",
    "Gets most new evidence on {t} from LinkedIn and colleagues now, not journals",
    "Protected research time was cut this year; {t} work happens in the evenings",
]
PRAISE = [
    "The literature summaries are the one industry email they actually read",
    "Found the congress overview balanced; shared it with the department",
    "Appreciated that we said upfront what we hoped to learn from the meeting",
    "Medical information answered their question within two days; helpful",
]
CRITICISM = [
    "Your last slide deck overstated the subgroup data",
    "Too many emails from different people in the company; wants one contact",
    "The advisory board agenda left no time for their questions",
    "The speaker slides were too promotional to use with fellows",
    "The literature summary missed last month's negative trial",
]
NEXT_STEPS = [
    "Send {r}",
    "Send {r}",
    "Share {r} for their fellows' teaching",
    "Ask medical information to answer their question on {t}",
    "Check dates for a grand rounds talk on {t}",
    "Introduce them to the {t} registry lead",
]
SUMMARIES = {
    K.CONGRESS: ["Met after the {t} session", "Talked through the late-breaking {t} data"],
    K.SOCIAL_EVENT: ["Faculty dinner; talked about {t} and their plans for the year"],
    K.ADVISORY_BOARD: ["Advisory board on {t}; they led the discussion on unmet needs"],
    K.INVESTIGATOR_MEETING: ["Investigator meeting; their site's experience recruiting in {t}"],
    K.SPEAKER_TRAINING: ["Speaker training on {t}; prepared their case-based talk"],
    K.EMAIL: [
        "They emailed a question on {t}; we answered with the latest data",
        "Replied to our literature summary on {t} with questions",
    ],
    K.DIGITAL: ["Commented on their LinkedIn post about {t}", "They shared our {t} overview"],
    None: [
        "Discussed their clinic's experience with {t}",
        "Caught up on their {t} work and what they need next",
        "Talked through the new evidence on {t}",
        "Reviewed what their fellows need on {t}",
    ],
}
FIRST_SUMMARY = "First meeting: their work on {t}, and what would help them"
QUESTIONS_TEXT = ["How do you decide who gets referred?", "What would change your practice?"]

G = Give.Kind
GIVE_NOTES = {
    G.LITERATURE: "Monthly literature summary: {t}",
    G.CONGRESS_OVERVIEW: "Overview of the {t} sessions at {c}, which they could not attend",
    G.RESOURCE: "Sent {r}",
    G.INTRODUCTION: "Introduced them to a registry lead working on {t}",
    G.OPPORTUNITY_TALK: "Speaking slot at the regional meeting on {t}",
    G.OPPORTUNITY_PUBLICATION: "Invitation to co-author a review on {t}",
    G.OPPORTUNITY_ADVISORY: "Nomination for the society working group on {t}",
    G.OPPORTUNITY_STUDY: "Site opportunity in an investigator-led study on {t}",
}
# Opportunities go only to KOLs who told us (or we assumed) they care for that kind of work.
OPPORTUNITY_FOR = {
    G.OPPORTUNITY_TALK: {Interest.Kind.SPEAKING, Interest.Kind.EDUCATION},
    G.OPPORTUNITY_PUBLICATION: {Interest.Kind.PUBLICATIONS, Interest.Kind.CONTENT},
    G.OPPORTUNITY_ADVISORY: {Interest.Kind.ADVISORY},
    G.OPPORTUNITY_STUDY: {Interest.Kind.RESEARCH, Interest.Kind.CLINICAL_TRIALS},
}
RESPONSES = [
    "Thanked us; shared it with their fellows",
    "Said it saved an evening of reading",
    "Asked for the full papers behind two of the items",
    "Forwarded it to the department's journal club",
]
OPPORTUNITY_RESPONSES = ["Accepted; delighted to be asked", "Declined this time: too much travel"]

A = Ask.Kind
ASKS = {
    A.ADVISORY_BOARD: "A say in the {t} evidence plan and time with international peers",
    A.SPEAKING: "A platform for their {t} data, on slides they control; fair-market honorarium",
    A.PRODUCT_FEEDBACK: "Early sight of the {t} patient tool, shaped around their clinic's needs",
    A.STUDY: "Access to the {t} study for their patients and a role in the publication",
}
ASK_OUTCOMES = ["Accepted", "Accepted; joined the spring meeting", "Declined: no time this year"]

OBJECTIVES = [
    "Learn how they manage {t} and where their patients get stuck",
    "Share balanced, up-to-date evidence on {t} every quarter",
    "Explore support for their investigator-initiated study idea on {t}",
    "Involve them in the {t} advisory board if they want it",
    "Support their fellows' teaching on {t}",
]
KOL_INPUT = [
    "Wants fewer, better-prepared meetings, with the agenda a week ahead",
    "Asked us to focus on data in patients like theirs, not trial averages",
    "Happy to advise, but will not speak at promotional meetings",
    "Wants the literature summaries monthly, short, with links",
]
MEASURES = [
    "Their questions answered within a week",
    "Two-way scientific exchange at least quarterly",
    "Insights on unmet needs in {t} shared with the medical team",
    "A joint abstract submitted to a congress",
]
