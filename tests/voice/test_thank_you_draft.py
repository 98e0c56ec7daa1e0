"""The thank-you draft (engagements) carries the KOL's newest working personal link, handed
in by voice; without a working link the draft is as before. One query for all drafts."""

import html
import re
from urllib.parse import unquote

from django.urls import reverse

from engagements.models import FollowUp
from engagements.selectors.followups import with_drafts
from tests.engagements.factories import FollowUpFactory
from tests.factories import KolFactory
from tests.voice.conftest import url_of
from voice import services


def thank_you(kol):
    return FollowUpFactory(kol=kol, owner=kol.owner, kind=FollowUp.Kind.THANK_YOU, text="Thank")


def draft_of(followup) -> str:
    with_drafts([followup], user=followup.owner)
    return unquote(followup.draft_url)


def test_the_draft_carries_the_newest_working_link(link, owner):
    kol = link.kol
    followup = thank_you(kol)
    assert url_of(link) in draft_of(followup)
    assert "This personal link works only for you" in draft_of(followup)

    newer = services.link_create(kol=kol, by=owner, ask_interests=True, share_plan=False, gives=[])
    body = draft_of(followup)
    assert url_of(newer) in body and url_of(link) not in body

    services.link_revoke(link=newer, by=owner)
    services.link_revoke(link=link, by=owner)
    assert "personal link" not in draft_of(followup)


def drafts_on(page: str) -> str:
    return " ".join(
        unquote(html.unescape(href))
        for href in re.findall(r'class="followup-draft" href="([^"]+)"', page)
    )


def test_the_kol_page_and_today_show_it(link, owner_client):
    thank_you(link.kol)
    page = owner_client.get(reverse("kol:kol_detail", args=[link.kol.pk])).content.decode()
    assert url_of(link) in drafts_on(page)
    today = owner_client.get(reverse("engagements:today")).content.decode()
    assert url_of(link) in drafts_on(today)


def test_one_query_for_the_links_of_many_drafts(link, owner, django_assert_num_queries):
    others = [
        KolFactory(owner=owner, email=f"k{i}@example.org", email_consent=True) for i in range(5)
    ]
    for kol in others:
        services.link_create(kol=kol, by=owner, ask_interests=True, share_plan=False, gives=[])
    followups = list(
        FollowUp.objects.filter(
            pk__in=[thank_you(k).pk for k in [link.kol, *others]]
        ).select_related("kol", "source_touchpoint")
    )
    with django_assert_num_queries(1):
        with_drafts(followups, user=owner)
    assert all("/for-you/" in unquote(f.draft_url) for f in followups)
