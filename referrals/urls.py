from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    path("new/<uuid:concern_id>/", views.referral_new, name="new"),
    path("<uuid:public_id>/", views.referral_detail, name="detail"),
    path("<uuid:public_id>/files/", views.referral_files, name="files"),
    path(
        "<uuid:public_id>/files/<uuid:attachment_id>/",
        views.referral_attachment,
        name="attachment",
    ),
    path("<uuid:public_id>/<slug:action>/", views.referral_action, name="action"),
]
