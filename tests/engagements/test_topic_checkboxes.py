"""Topics are picked with checkboxes, not a multi-select box (issue 17)."""

from engagements.forms.touchpoints import TouchpointForm
from events.forms import EventForm, OpportunityForm
from tests.factories import TopicFactory


def test_the_touchpoint_form_offers_topics_as_checkboxes(kol, owner):
    topic = TopicFactory(name="Amyloidosis")
    html = str(TouchpointForm(kol=kol, user=owner)["topics"])
    assert f'type="checkbox" name="topics" value="{topic.pk}"' in html
    assert "<select" not in html


def test_the_event_and_opportunity_forms_offer_topics_as_checkboxes(owner):
    topic = TopicFactory(name="Cardiac amyloid")
    for form in (EventForm(user=owner), OpportunityForm()):
        html = str(form["topics"])
        assert f'type="checkbox" name="topics" value="{topic.pk}"' in html
        assert "<select" not in html
