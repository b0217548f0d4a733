from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    path("new/<uuid:concern_id>/", views.referral_new, name="new"),
    path("<uuid:public_id>/", views.referral_detail, name="detail"),
    path("<uuid:public_id>/<slug:action>/", views.referral_action, name="action"),
]
