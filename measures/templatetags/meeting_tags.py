"""Meetings' stored codes in the reader's language (minutes and timelines keep codes)."""

import datetime

from django import template
from django.utils.dateparse import parse_datetime

from measures.meetings.identifying import warning_label
from measures.meetings.models import AgendaItem, MeetingDecision

register = template.Library()


@register.filter
def finding_label(code):
    return AgendaItem.Finding(code).label if code in AgendaItem.Finding.values else code


@register.filter
def decision_label(code):
    return MeetingDecision.Kind(code).label if code in MeetingDecision.Kind.values else code


@register.filter
def identifying_label(code):
    return warning_label(code)


@register.filter
def iso_datetime(value):
    """An ISO date and time kept in stored data, as a datetime the `date` filter formats."""
    if isinstance(value, datetime.datetime):
        return value
    try:
        return parse_datetime(value) or value
    except (TypeError, ValueError):
        return value
