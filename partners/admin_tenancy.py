"""The admin, scoped by municipality: a registry admin reaches only their own.

Every registry model is registered here with the path from it to the
municipalities it belongs to. From that one path the admin derives:

- the list and every object page: only objects that touch the admin's
  municipalities; any other object gives 404, its history page included;
- changing and deleting: only objects wholly inside the admin's
  municipalities, before and after the change (a police district that serves
  two municipalities is shown, and changed by a platform admin only);
- every choice list in a form: only objects the admin may see;
- CSV import and export, through the same rules (partners.resources).

Platform admins (partners.permissions) are not scoped.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from partners.identity.services import access_denied_record
from partners.models import Municipality
from partners.permissions import is_platform_admin, registry_municipality_ids

# model → lookup from it to Municipality ("" for Municipality itself).
_LOOKUPS: dict[type[models.Model], str] = {Municipality: ""}


def register_tenant_model(model: type[models.Model], lookup: str) -> None:
    """Say how a model belongs to municipalities. Apps call this from their admin.py."""
    _LOOKUPS[model] = lookup


def lookup_for(model: type[models.Model]) -> str | None:
    return _LOOKUPS.get(model)


def visible_to(user, queryset: models.QuerySet) -> models.QuerySet:
    """The objects of a registered model that touch the user's municipalities."""
    if is_platform_admin(user):
        return queryset
    lookup = lookup_for(queryset.model)
    if lookup is None:
        # Not a municipality's object: shared data, which admin permissions guard.
        return queryset
    path = f"{lookup}__in" if lookup else "pk__in"
    touching = queryset.model._default_manager.filter(**{path: registry_municipality_ids(user)})
    return queryset.filter(pk__in=touching.values("pk"))


def municipality_ids_of(obj: models.Model, lookup: str, overrides: dict | None = None) -> set[int]:
    """The municipalities an object (saved or not) belongs to, following `lookup`.

    `overrides` gives many-to-many values from a form, which an unsaved
    object does not hold yet.
    """
    if not lookup:
        return {obj.pk} if obj.pk else set()
    head, _sep, rest = lookup.partition("__")
    field = obj._meta.get_field(head)
    if field.many_to_many:
        if overrides is not None and head in overrides:
            related = list(overrides[head])
        elif obj.pk:
            related = list(getattr(obj, head).all())
        else:
            related = []
    else:
        value = getattr(obj, head, None)
        related = [value] if value is not None else []
    ids: set[int] = set()
    for item in related:
        if isinstance(item, Municipality):
            ids.add(item.pk)
        else:
            ids |= municipality_ids_of(item, rest)
    return ids


def may_keep(user, obj: models.Model, overrides: dict | None = None) -> bool:
    """Whether the user may change the object: every municipality it belongs to is theirs."""
    if is_platform_admin(user):
        return True
    lookup = lookup_for(type(obj))
    if lookup is None:
        return False
    belongs_to = municipality_ids_of(obj, lookup, overrides)
    return bool(belongs_to) and belongs_to <= registry_municipality_ids(user)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that offers only objects the user may see, like every choice list."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = visible_to(request.user, field.related_model._default_manager.all())
        if ordering:
            related = related.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in related]


class TenantAdmin(SimpleHistoryAdmin):
    """Base class of every registry admin page. Subclasses may add `tenancy_problem` checks."""

    # A web address typed without a scheme is taken as https. Lists of
    # relations are checkboxes: Django's two-box filter widget fails WCAG
    # (aria-label on a plain span), and a registry's lists are short.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

    def get_list_filter(self, request):
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
                entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django's admin would redirect with "doesn't exist"; another
            # municipality's object must look exactly like a missing one.
            self._deny_if_exists(request, object_id)
            raise Http404
        return obj

    def _deny_if_exists(self, request, object_id) -> None:
        try:
            exists = self.model._default_manager.filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            exists = False
        if exists:
            access_denied_record(user=request.user, what=f"{self.opts.label_lower} {object_id}")

    def _ensure_visible(self, request, object_id) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            self._deny_if_exists(request, object_id)
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the history table for objects the
        # queryset hides; that fallback would show another municipality's data.
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_keep(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_keep(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._scope_choices(field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._scope_choices(field, request)

    def _scope_choices(self, field, request):
        if field is not None and hasattr(field, "queryset"):
            field.queryset = visible_to(request.user, field.queryset)
        return field

    def tenancy_problem(self, request, obj, cleaned_data: dict) -> str | None:
        """Why this object, as the form would save it, is not the user's to save."""
        if not may_keep(request.user, obj, cleaned_data):
            return _(
                "Only a platform admin can save this: it would belong to a municipality "
                "that is not yours."
            )
        return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class TenantForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    problem = model_admin.tenancy_problem(request, self.instance, self.cleaned_data)
                    if problem:
                        self.add_error(None, problem)

        return TenantForm


class TenantInline(admin.TabularInline):
    """An inline that follows its parent page's scope: `obj` below is the parent."""

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or may_keep(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_keep(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_keep(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = visible_to(request.user, field.queryset)
        return field
