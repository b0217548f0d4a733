"""Pages about the service itself rather than about any case."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from partners.identity.middleware import role_not_required, second_factor_exempt


def statement_url() -> str:
    """The official statement's address from the setting, if it is a web address at all."""
    url = (settings.ACCESSIBILITY_STATEMENT_URL or "").strip()
    return url if url.startswith(("https://", "http://")) else ""


# Anyone may need to know how accessible the service is, or where to complain,
# before signing in or halfway through it: no sign-in, second factor or role.
@login_not_required
@second_factor_exempt
@role_not_required
def accessibility_statement(request):
    return render(request, "accessibility.html", {"statement_url": statement_url()})
