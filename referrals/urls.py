from django.urls import path

from referrals import views
from referrals.transfers import views as transfers

app_name = "referrals"

urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    # Case transfers to another municipality, and handovers outside the system.
    path("transfers/incoming/", transfers.transfer_incoming, name="transfer_incoming"),
    path("transfers/new/<uuid:concern_id>/", transfers.transfer_new, name="transfer_new"),
    path("transfers/<uuid:public_id>/", transfers.transfer_detail, name="transfer"),
    path(
        "transfers/<uuid:public_id>/<slug:action>/",
        transfers.transfer_action,
        name="transfer_action",
    ),
    path("handovers/new/<uuid:concern_id>/", transfers.handover_new, name="handover_new"),
    path("handovers/<uuid:public_id>/", transfers.handover_detail, name="handover"),
    path("handovers/<uuid:public_id>/pdf/", transfers.handover_download, name="handover_pdf"),
    path(
        "handovers/<uuid:public_id>/receipt/",
        transfers.handover_receipt,
        name="handover_receipt",
    ),
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
