"""The benchmark's seeding at a tiny scale, and the driver's pure parts (bench.measures)."""

import dataclasses
import json

import pytest
from django.db.models import Count
from django.http import HttpRequest

from accounts.models import Membership, User
from bench import load, seed
from bench import measures as bench_measures
from contacts.models import Kol
from engagements.models import Ask, FollowUp, Give, Touchpoint


@pytest.mark.django_db
def test_seed_shapes_at_tiny_scale(client):
    seeded = seed.seed(
        40, teams=2, msls_per_team=2, touchpoints=200, follow_ups=30, gives_and_asks=21
    )

    assert seeded.kols == Kol.objects.count() == 40
    assert Touchpoint.objects.count() == seeded.touchpoints == 200
    assert FollowUp.objects.count() == seeded.follow_ups == 30
    assert (Give.objects.count(), Ask.objects.count()) == (10, 11)
    assert User.objects.filter(email__startswith="msl").count() == 4
    assert Membership.objects.filter(role=Membership.Role.MANAGER).count() == 2
    assert len({t.form_token for t in Touchpoint.objects.all()}) == 200

    # The long timeline is the longest, and its owner, manager and POST target line up.
    busiest = Touchpoint.objects.values("kol").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest["kol"] == seeded.long_kol_id
    assert seeded.long_kol_touchpoints == busiest["n"] == 10
    long_kol = Kol.objects.get(pk=seeded.long_kol_id)
    post_kol = Kol.objects.get(pk=seeded.post_kol_id)
    assert long_kol.owner.email == seeded.msl_email == post_kol.owner.email
    assert not post_kol.is_archived
    msl_team = Membership.objects.get(user=long_kol.owner).team
    assert Membership.objects.filter(
        team=msl_team, user__email=seeded.manager_email, role=Membership.Role.MANAGER
    ).exists()
    admin = User.objects.get(email=seeded.admin_email)
    assert admin.is_staff and admin.is_superuser

    # Every bench user signs in with the one known password (the login throttle needs a request).
    assert client.login(request=HttpRequest(), username=seeded.msl_email, password=seed.PASSWORD)


def test_counts_scale_with_kols():
    assert seed.scaled(seed.TOUCHPOINTS, 10_000) == 300_000
    assert seed.scaled(seed.FOLLOW_UPS, 100_000) == 1_000_000
    assert seed.scaled(seed.GIVES_AND_ASKS, 1_000) == 5_000
    assert seed.scaled(seed.TOUCHPOINTS, 1) == 30


def test_percentile_interpolates():
    values = [float(n) for n in range(1, 101)]  # 1..100
    assert bench_measures.percentile(values, 50) == pytest.approx(50.5)
    assert bench_measures.percentile(values, 95) == pytest.approx(95.05)
    assert bench_measures.percentile(values, 100) == 100.0
    assert bench_measures.percentile([3.0, 1.0, 2.0], 0) == 1.0
    assert bench_measures.percentile([], 95) == 0.0


def _measure(page, concurrency, rps, p95_ms, target=True):
    m = bench_measures.summarise(
        page, concurrency, {"latencies": [0.001], "errors": 0, "seconds": 1.0}
    )
    m.rps, m.p95_ms, m.target = rps, p95_ms, target
    return m


def test_ratios_targets_and_table(tmp_path):
    measures = [
        _measure(bench_measures.CEILING, 1, 400.0, 3.0, target=False),
        _measure(bench_measures.ADMIN, 1, 40.0, 30.0, target=False),
        _measure("KOL list", 1, 100.0, 20.0),
        _measure("Today", 1, 50.0, 70.0),
        _measure("Today", 8, 50.0, 200.0),  # no ceiling or admin at c8: no ratios
    ]
    bench_measures.add_ratios(measures)
    kol_list, today, today8 = measures[2:]
    assert (kol_list.ratio_ceiling, kol_list.ratio_admin, kol_list.misses) == (0.25, 2.5, [])
    assert today.misses == ["p95>=60ms", "<1.5x admin"]
    assert today8.ratio_admin is None and today8.misses == []
    table = bench_measures.format_table(measures)
    assert "MISS p95>=60ms" in table and "25%" in table

    path = bench_measures.write_json(
        tmp_path / "results" / "run.json", {"results": [dataclasses.asdict(kol_list)]}
    )
    assert json.loads(path.read_text())["results"][0]["ratio_admin"] == 2.5


def test_a_page_that_never_answers_is_recorded_as_timed_out():
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    try:
        spec = {
            "host": "127.0.0.1",
            "port": listener.getsockname()[1],
            "path": "/slow/",
            "method": "GET",
            "headers": {},
            "csrf": "",
            "seconds": 0.2,
            "concurrency": 2,
            "grace": 3,
        }
        result = load.run_load(spec)
    finally:
        listener.close()
    measure = bench_measures.summarise("slow page", 2, result)
    assert measure.requests == 0 and measure.errors == 2
    assert measure.statuses == {"timeout": 2}
