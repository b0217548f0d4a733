from django.urls import path

from partners.identity import sso_views, views

app_name = "identity"

urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/setup/", views.setup, name="setup"),
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
    # Single sign-on through the municipality's own provider (OpenID Connect).
    path("sso/waiting/", sso_views.sso_waiting, name="sso_waiting"),
    path("sso/<slug:slug>/start/", sso_views.sso_start, name="sso_start"),
    path("sso/<slug:slug>/callback/", sso_views.sso_callback, name="sso_callback"),
    path(
        "sso/<slug:slug>/backchannel-logout/",
        sso_views.sso_backchannel_logout,
        name="sso_backchannel_logout",
    ),
]
