"""Template filters every page uses (a builtin: kolcrm/settings.py TEMPLATES)."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_time(value) -> str:
    """A `<time datetime=...>` value HTML accepts: to the second, with its offset (Django's
    `date:'c'` adds microseconds, which the HTML checker refuses). Dates stay dates."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
