"""The deal board, the deal page and lead conversion (the plain lists are in ``accord.sales.urls``)."""

from django.urls import URLPattern, URLResolver, path

from accord.sales import board_views

app_name = "board"

urlpatterns: list[URLPattern | URLResolver] = [
    path("deals/board/", board_views.board, name="deal-board-default"),
    path("deals/board/<int:pipeline_id>/", board_views.board, name="deal-board"),
    path(
        "deals/board/<int:pipeline_id>/stages/<int:stage_id>/cards/",
        board_views.board_column,
        name="deal-board-column",
    ),
    path("deals/<int:pk>/", board_views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/edit/", board_views.deal_edit, name="deal-edit"),
    path("deals/<int:pk>/move/", board_views.move, name="deal-move"),
    path("leads/<int:pk>/convert/", board_views.lead_convert_page, name="lead-convert"),
]
