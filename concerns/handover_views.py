"""The coordinator's "needs a new handler" page (concerns.handover)."""

from django.shortcuts import render

from concerns.handover import needs_new_handler
from concerns.permissions import coordinated_municipality_ids, deny


def needs_handler(request):
    if not coordinated_municipality_ids(request.user):
        raise deny(request.user, "needs a new handler")
    return render(
        request, "concerns/needs_handler.html", {"handover": needs_new_handler(request.user)}
    )
