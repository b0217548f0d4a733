from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from concerns.views import home, landing
from config.views import accessibility_statement
from partners.identity.middleware import second_factor_exempt
from partners.identity.views import sign_in, sign_out

urlpatterns = [
    path("", home, name="home"),
    path("start/", landing, name="landing"),
    path("concerns/", include("concerns.urls")),
    path("directory/", include("partners.urls")),
    path("referrals/", include("referrals.urls")),
    path("notifications/", include("concerns.notification_urls")),
    path("knowledge/", include("measures.urls")),
    path("statistics/", include("measures.statistics.urls")),
    path("meetings/", include("measures.meetings.urls")),
    path("public-journal/", include("concerns.records.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", sign_out, name="logout"),
    path("accounts/", include("partners.identity.urls")),
    # The language can be changed before signing in.
    path(
        "i18n/setlang/",
        login_not_required(second_factor_exempt(set_language)),
        name="set_language",
    ),
    # One way in: the admin's own sign-in page would skip lockout messages and the second step.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("accessibility/", accessibility_statement, name="accessibility"),
]
