import datetime

import factory
from django.utils import timezone

from contacts.models import AssumptionStatus, Interest, Provenance
from events.models import Event
from tests.factories import InterestFactory

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Congress {n}")
    starts_on = factory.LazyFunction(lambda: days(-5))
    ends_on = factory.LazyFunction(lambda: days(-3))
    location = "Madrid"

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if extracted:
            self.attendees.set(extracted)


def stated(kol, topic, **kwargs) -> Interest:
    return InterestFactory(kol=kol, topic=topic, provenance=Provenance.STATED, **kwargs)


def assumed(kol, topic, status=AssumptionStatus.OPEN) -> Interest:
    return InterestFactory(
        kol=kol, topic=topic, provenance=Provenance.ASSUMED, assumption_status=status
    )
