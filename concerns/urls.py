from django.urls import path

from concerns import views

app_name = "concerns"

urlpatterns = [
    path("new/", views.concern_new, name="new"),
    path("mine/", views.concern_mine, name="mine"),
    path("<uuid:public_id>/", views.concern_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.concern_edit, name="edit"),
    path("<uuid:public_id>/receipt/", views.concern_receipt, name="receipt"),
]
