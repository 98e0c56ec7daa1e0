"""Move to stage: the form preselects the next stage forward, never a move back (issue 17)."""

import pytest

from contacts.forms import StageChangeForm
from contacts.models import Kol, Stage


@pytest.mark.parametrize(
    "stage, preselected",
    [
        (Stage.ESTABLISHING, "developing"),
        (Stage.DEVELOPING, "maintaining"),
        (Stage.MAINTAINING, ""),
    ],
)
def test_it_preselects_the_next_stage_forward_or_nothing(stage, preselected):
    form = StageChangeForm(kol=Kol(stage=stage, version=1))
    html = str(form["to_stage"])
    if preselected:
        assert f'<option value="{preselected}" selected>' in html
    else:
        assert '<option value="" selected>Choose a stage</option>' in html
    assert html.count("selected") == 1


def test_choosing_nothing_is_refused():
    form = StageChangeForm(
        {"to_stage": "", "version": 1}, kol=Kol(stage=Stage.MAINTAINING, version=1)
    )
    assert not form.is_valid() and "to_stage" in form.errors
