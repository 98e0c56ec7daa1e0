"""Manager pages: the stage board (and its CSV), and recording a stage review."""

import csv

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Team, User
from common.rendering import INVALID, render_page_or_part, shown_count
from contacts.exports import neutralise
from contacts.kol_page import part_answerer
from contacts.models import CheckInStatus, Stage, TherapeuticArea
from contacts.selectors import get_kol_for_user, kol_access
from reviews import kol_page
from reviews.access import require_manager, team_members
from reviews.forms.review import StageReviewForm
from reviews.selectors import board as selectors
from reviews.selectors.board import BoardFilters
from reviews.services.reviews import stage_review_record

PANEL = "reviews/_review_panel.html"


class BoardFilterForm(forms.Form):
    """The board's filters. Invalid values are dropped (with a notice), never a 500."""

    msl = forms.IntegerField(required=False, label="MSL", widget=forms.Select)
    area = forms.ModelChoiceField(
        TherapeuticArea.objects.all(),
        required=False,
        label="Therapeutic area",
        empty_label="Any area",
    )
    check_in = forms.ChoiceField(
        choices=[("", "Any"), *CheckInStatus.choices], required=False, label="Check-in"
    )
    suggested = forms.BooleanField(required=False, label="Has a suggestion")

    def __init__(self, data, *, members: list[User]):
        super().__init__(data)
        self.fields["msl"].widget.choices = [("", "Everyone"), *[(m.pk, str(m)) for m in members]]


def _filters(request: HttpRequest, teams: list[Team]) -> tuple[BoardFilterForm, BoardFilters]:
    members = list(team_members(teams))
    form = BoardFilterForm(request.GET, members=members)
    form.is_valid()
    chosen = form.cleaned_data  # the valid filters only
    msl_id = chosen.get("msl")
    if msl_id is not None and msl_id not in {member.pk for member in members}:
        raise Http404("No such MSL in your teams.")
    filters = BoardFilters(
        owner_id=msl_id,
        area=chosen.get("area"),
        check_in=chosen.get("check_in") or None,
        with_suggestion=bool(chosen.get("suggested")),
    )
    return form, filters


def _shown(request: HttpRequest) -> dict[str, int]:
    """?show_developing=20: how many cards of each column to show."""
    return {
        stage: shown_count(
            request, f"show_{stage}", step=selectors.COLUMN_STEP, most=selectors.COLUMN_MAX
        )
        for stage in Stage.values
    }


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    form, filters = _filters(request, teams)
    columns = selectors.board_columns(
        teams, today=timezone.localdate(), filters=filters, shown=_shown(request)
    )
    for column in columns:
        more = request.GET.copy()
        more.pop("column", None)
        more[f"show_{column.stage}"] = column.more
        column.more_url = f"?{more.urlencode()}#column-{column.stage}"
        more["column"] = column.stage
        column.more_part_url = f"?{more.urlencode()}"
    context = {
        "teams": teams,
        "form": form,
        "columns": columns,
        "total": sum(column.total for column in columns),
        "query": request.GET.urlencode(),
    }
    # "Show more" swaps its column alone; filters swap the whole board.
    column = next((c for c in columns if c.stage == request.GET.get("column")), None)
    if column is not None:
        return render_page_or_part(
            request, "reviews/board.html", "column", {**context, "column": column}
        )
    return render_page_or_part(request, "reviews/board.html", "results", context)


CSV_HEADER = [
    "KOL",
    "Owner",
    "Stage",
    "Top stated goal",
    "Last touchpoint",
    "Check-in",
    "Next check-in",
    "Gives (12 months)",
    "Asks (12 months)",
    "Suggestion",
    "Why",
]


def _csv_row(card: selectors.Card) -> list[str]:
    kol = card.kol
    last = card.last_touchpoint_at
    return [
        kol.display_name,
        str(kol.owner),
        kol.get_stage_display(),
        card.top_goal or "",
        timezone.localdate(last).isoformat() if last else "",
        card.status.label,
        kol.next_check_in.isoformat(),
        str(card.balance.gives),
        str(card.balance.asks),
        card.suggestion.label if card.suggestion else "",
        card.suggestion.reason if card.suggestion else "",
    ]


@require_GET
def board_csv(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    _, filters = _filters(request, teams)
    cards = selectors.board_cards(teams, today=timezone.localdate(), filters=filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stage-board.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for card in cards:
        writer.writerow([neutralise(cell) for cell in _csv_row(card)])
    return response


# The review panel of the KOL page, from its own context.
_answer = part_answerer(template=PANEL, context_of=kol_page.kol_page_extras, part="review")


@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    # Not require_manager: the owner MSL sees the KOL, so gets 403 with the reason, not 404.
    kol = get_kol_for_user(request.user, pk)
    kol_access(request.user, kol).require("manage")
    form = StageReviewForm(request.POST, kol=kol)
    if not form.is_valid():
        return _answer(request, kol, status=INVALID, review_form=form)
    stage_review_record(kol=kol, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, f"Review recorded. {kol.owner} will see it.")
    return _answer(request, kol)


urlpatterns = [
    path("board/", board, name="board"),
    path("board.csv", board_csv, name="board_csv"),
]
