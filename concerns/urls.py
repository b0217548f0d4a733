from django.urls import path

from concerns import decision_views, handover_views, retention_views, views
from concerns.records import views as record_views

app_name = "concerns"

urlpatterns = [
    path("new/", views.concern_new, name="new"),
    path("mine/", views.concern_mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("retention/", retention_views.overview, name="retention"),
    path("needs-handler/", handover_views.needs_handler, name="needs_handler"),
    path("<uuid:public_id>/legal-hold/", retention_views.legal_hold, name="legal_hold"),
    path("person/<uuid:public_id>/", views.subject_chronology, name="chronology"),
    path(
        "person/<uuid:public_id>/access-request/",
        views.subject_access_request,
        name="access_request",
    ),
    path("<uuid:public_id>/", views.concern_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.concern_edit, name="edit"),
    path("<uuid:public_id>/receipt/", views.concern_receipt, name="receipt"),
    path("<uuid:public_id>/purpose/", views.concern_purpose, name="purpose"),
    path("<uuid:public_id>/history/", views.concern_history, name="history"),
    path("<uuid:public_id>/access-log/", views.concern_access_log, name="access_log"),
    path("<uuid:public_id>/journal/", record_views.case_journal, name="journal"),
    path("<uuid:public_id>/national-id/", views.concern_reveal_national_id, name="national_id"),
    path(
        "<uuid:public_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<uuid:public_id>/reply/", views.concern_reply, name="reply"),
    path("<uuid:public_id>/tasks/<int:task_id>/done/", views.checklist_task_done, name="task_done"),
    path(
        "<uuid:public_id>/tasks/<int:task_id>/decline/",
        decision_views.checklist_task_declined,
        name="task_decline",
    ),
    path("<uuid:public_id>/<slug:action>/", views.concern_action, name="action"),
]
