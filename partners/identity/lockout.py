"""Lockout after wrong passwords (django-axes), and the page a locked-out person sees.

django-axes counts failures per lockout parameter and compares the largest
count with one limit. We want two limits: five failures lock a username, and
twenty lock an address, so that one address cannot try five passwords on each
of many usernames. The handler below measures the address's failures in
"username units", so one comparison serves both limits.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from config.request import client_ip


class UsernameThenAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        # One queryset per entry of AXES_LOCKOUT_PARAMETERS: username, then address.
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        username_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(by_username, by_address * username_limit // address_limit)


def client_address(request) -> str | None:
    return client_ip(request)


def lockout_response(request, original_response=None, credentials=None):
    """The same plain answer whether or not the username exists, in the reader's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "identity/locked_out.html", {"minutes": minutes}, status=429)
