"""Standing cast for every test: owner MSL, teammate MSL, outsider MSL, manager.

- owner and teammate are MSLs in team A, managed by `manager`;
- outsider is an MSL in team B (with its own manager, `other_manager`);
- `kol` belongs to owner; teammate can see it only as a collaborator (tests add that).
"""

import os

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread

from accounts.models import Membership
from tests import hypothesis_profiles
from tests.factories import KolFactory, MembershipFactory, TeamFactory, UserFactory
from tests.querycount import assert_same_query_counts  # noqa: F401  (a fixture)


class OneRequestAtATime(WSGIServer):
    """The live server, answering one request after the other (see below)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


@pytest.fixture(scope="session", autouse=True)
def live_server_one_request_at_a_time_on_sqlite():
    """On SQLite the test database is in memory, and Django hands the live server's threads
    that one connection: two requests at once (a page and the service worker's background
    fetch) break it ("bad parameter or other API misuse", a 500). There the live server
    answers one request at a time (it then closes each connection, so nothing waits);
    PostgreSQL keeps the threaded server, a connection per thread."""
    if connection.vendor != "sqlite":
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
# Tasks published by the code under test go to an in-memory broker, not to var/ on disk;
# the worker tests point their own app at a private Redis.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# CI: derandomised, no example database; locally: random, failures kept in .hypothesis/.
HYPOTHESIS_PROFILE = hypothesis_profiles.load()


def pytest_report_header(config):
    return f"hypothesis profile: {HYPOTHESIS_PROFILE}"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """PBKDF2's deliberate slowness would dominate the suite; tests need no strength."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def owner(team):
    user = UserFactory(email="owner@example.test", display_name="Olivia Owner")
    MembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def teammate(team):
    user = UserFactory(email="teammate@example.test", display_name="Tom Teammate")
    MembershipFactory(team=team, user=user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(email="outsider@example.test", display_name="Otto Outsider")
    MembershipFactory(team=other_team, user=user)
    return user


@pytest.fixture
def manager(team):
    user = UserFactory(email="manager@example.test", display_name="Mona Manager")
    MembershipFactory(team=team, user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def other_manager(other_team):
    user = UserFactory(email="othermanager@example.test", display_name="Max Other")
    MembershipFactory(team=other_team, user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def kol(owner):
    from contacts import services

    return services.kol_create(
        by=owner,
        data={
            "name": "Dr Ada Lovelace",
            "institution": "St Thomas' Hospital",
            "specialty": "Cardiology",
            "cadence_days": 90,
        },
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def teammate_client(teammate):
    return client_for(teammate)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def kol_factory():
    return KolFactory
