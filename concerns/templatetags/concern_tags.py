from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def overdue_on(concern, today):
    return concern.is_overdue(today)


@register.filter
def deadline_basis(basis):
    """Why a deadline falls when it does, in the reader's language; "" for a date picked by hand."""
    from partners.calendars import describe

    return describe(basis or {})


@register.filter
def pause_reason_label(code):
    from concerns.models import DeadlinePause

    return DeadlinePause.Reason(code).label if code in DeadlinePause.Reason.values else code


@register.filter
def status_label(code):
    from concerns.models import Concern

    return Concern.Status(code).label if code in Concern.Status.values else code


@register.filter
def outcome_label(code):
    from concerns.models import Concern

    return Concern.Outcome(code).label if code in Concern.Outcome.values else code


@register.filter
def age_band_label(code):
    from concerns.models import AgeBand

    return AgeBand(code).label if code in AgeBand.values else code


@register.filter
def grant_reason_label(code):
    from concerns.permissions import GrantReason

    return GrantReason(code).label if code in GrantReason.values else code


@register.filter
def urgency_label(code):
    from concerns.models import Concern

    return Concern.Urgency(code).label if code in Concern.Urgency.values else code


@register.filter
def task_overdue(task, now):
    return task.is_overdue(now)


@register.filter
def referral_event_label(what):
    from referrals.models import Referral

    if what in Referral.Status.values:
        return Referral.Status(what).label
    return {"files_shared": _("Files shared")}.get(what, what)


@register.filter
def mentorship_status_label(code):
    from mentoring.models import Mentorship

    return Mentorship.Status(code).label if code in Mentorship.Status.values else code


def _reader_language() -> str:
    from django.utils.translation import get_language

    language = (get_language() or "nb")[:2]
    return {"no": "nb", "nn": "nb"}.get(language, language)


@register.filter
def in_reader_language(value):
    """A stored {"nb": …, "da": …, "en": …} in the reader's language; plain text as it is."""
    if isinstance(value, dict):
        return value.get(_reader_language()) or value.get("nb") or ""
    return value or ""


@register.filter
def contact_label(ref):
    """A contact kept on the timeline: "Name (role, organisation)" in the reader's language."""
    from partners.models import Contact

    if not ref:
        return ""
    if not isinstance(ref, dict):
        return ref  # written before contacts were stored as references
    role = ref.get("role", "")
    role_label = Contact.Role(role).label if role in Contact.Role.values else role
    return f"{ref.get('name', '')} ({role_label}, {ref.get('organisation', '')})"


@register.filter
def activity_label(code):
    from concerns.models import CaseActivity

    return CaseActivity.Kind(code).label if code in CaseActivity.Kind.values else code


@register.filter
def iso_date(value):
    """An ISO date kept in event data, as a date the `date` filter formats."""
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def authority_label(code):
    """Whom a step suggests notifying (ActionCardStep.Notifies), in the reader's language."""
    from measures.models import ActionCardStep

    return ActionCardStep.Notifies(code).label if code in ActionCardStep.Notifies.values else code
