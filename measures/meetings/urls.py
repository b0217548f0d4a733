from django.urls import path

from measures.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("<uuid:public_id>/", views.meeting_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.meeting_edit, name="edit"),
    path("<uuid:public_id>/items/add/<slug:kind>/", views.item_add, name="item_add"),
    path("<uuid:public_id>/items/<int:item_id>/", views.item_edit, name="item"),
    path("<uuid:public_id>/items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("<uuid:public_id>/items/<int:item_id>/summary/", views.item_summary, name="summary"),
    path("<uuid:public_id>/items/<int:item_id>/decisions/", views.decision_add, name="decision"),
    path("<uuid:public_id>/preview/", views.preview, name="preview"),
    path("<uuid:public_id>/send/", views.send_agenda, name="send"),
    path("<uuid:public_id>/held/", views.held, name="held"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/minutes/", views.minutes, name="minutes"),
    path("<uuid:public_id>/minutes/print/", views.minutes_print, name="minutes_print"),
    path("<uuid:public_id>/invitation.ics", views.invitation_ics, name="invitation"),
]
