"""The case page's decisions with reasons that are not quick actions: a checklist step declined."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerns.decision_forms import TaskDeclineForm
from concerns.permissions import deny
from concerns.services.decisions import checklist_task_decline
from concerns.views import handled_task_or_404


@require_POST
def checklist_task_declined(request, public_id, task_id):
    """Settle a step by deciding not to notify, with the reason the handler writes."""
    concern, task = handled_task_or_404(request, public_id, task_id)
    form = TaskDeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        checklist_task_decline(task=task, actor=request.user, reason=form.cleaned_data["reason"])
    except PermissionDenied as denied:
        raise deny(request.user, f"task {task_id} of concern {concern.public_id}") from denied
    except ValidationError as error:
        messages.error(
            request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)}
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("concerns:detail", public_id=concern.public_id)
