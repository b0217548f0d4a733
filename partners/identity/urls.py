from django.urls import path

from partners.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.account, name="account"),
    path("two-factor/setup/", views.setup, name="setup"),
    path("two-factor/", views.verify, name="verify"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
]
