from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def overdue_on(concern, today):
    return concern.is_overdue(today)


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

    return Referral.Status(what).label if what in Referral.Status.values else what
