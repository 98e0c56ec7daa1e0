"""Seed the shared question bank with open-ended questions from the practice.

The list lives here, not in app code, so this migration means the same thing forever.
Reversing it removes exactly these defaults and leaves every MSL's own questions alone.
"""

from django.db import migrations

DEFAULT_QUESTIONS = [
    # Understanding challenges
    (
        "challenges",
        "What are the biggest challenges you face treating patients in your practice today?",
    ),
    (
        "challenges",
        "What are the biggest challenges you face treating patients with this condition?",
    ),
    (
        "challenges",
        "Where do your patients most often get stuck on their way to the right treatment?",
    ),
    ("challenges", "What has changed in how you treat these patients over the last few years?"),
    ("challenges", "Which patients are the hardest to help, and why?"),
    # Information gaps
    ("information_gaps", "What information gaps do you see in how this disease is understood?"),
    ("information_gaps", "What information gaps do you see in the current treatment guidelines?"),
    (
        "information_gaps",
        "Which questions do your colleagues ask that the evidence does not yet answer?",
    ),
    ("information_gaps", "What real-world data would change how you treat patients?"),
    (
        "information_gaps",
        "Where do you go today when you need trustworthy information, and what is missing there?",
    ),
    # Resources that would help
    ("resources", "What resources would help your practice most right now?"),
    ("resources", "What would make it easier for your team to keep up with new evidence?"),
    ("resources", "What would help your patients understand their condition and treatment better?"),
    (
        "resources",
        "Which congresses or meetings do you wish you had time to attend, and what would you want from them?",
    ),
    ("resources", "How would you like to receive literature and updates from us, and how often?"),
    # Goals and passions
    ("goals", "What are you most hoping to achieve in your work over the next year or two?"),
    ("goals", "What research questions would you most like to pursue?"),
    ("goals", "What do you enjoy most about teaching fellows and colleagues?"),
    ("goals", "What got you into this field, and what keeps you in it?"),
    ("goals", "Which topics would you like to speak or write about?"),
    # Feedback on our work
    ("feedback", "What could we do better in how we share data with you?"),
    (
        "feedback",
        "How useful has the information we sent you been, and what would make it more useful?",
    ),
    ("feedback", "What do we get wrong about the needs of your patients?"),
    ("feedback", "How would you like us to work with you: how often, and in what way?"),
    (
        "feedback",
        "If you could change one thing about how our company engages with physicians, what would it be?",
    ),
]


def add_defaults(apps, schema_editor):
    Question = apps.get_model("engagements", "Question")
    for purpose, text in DEFAULT_QUESTIONS:
        Question.objects.get_or_create(owner=None, text=text, defaults={"purpose": purpose})


def remove_defaults(apps, schema_editor):
    Question = apps.get_model("engagements", "Question")
    Question.objects.filter(owner=None, text__in=[text for _, text in DEFAULT_QUESTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
