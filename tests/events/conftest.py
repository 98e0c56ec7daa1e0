import pytest

from tests.factories import TopicFactory


@pytest.fixture
def heart_failure(db):
    return TopicFactory(name="Heart failure")
