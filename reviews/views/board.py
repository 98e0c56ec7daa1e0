"""Manager page: the stage board."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from reviews.access import require_manager


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    teams = require_manager(request)
    return render(request, "reviews/board.html", {"teams": teams})


urlpatterns = [path("board/", board, name="board")]
