"""Checklist steps in all three languages, and timeline data as codes and references.

Rows written before this stored text in the language of whoever acted. They
are turned into the new shape here, as far as the old text allows: a step's
other languages come from its card step; a contact, card or activity is
found again by its name in any of the three languages.
"""

from django.db import migrations, models
from django.utils import translation

LANGUAGES = ("nb", "da", "en")


def _texts(obj, field):
    return {language: getattr(obj, f"{field}_{language}") for language in LANGUAGES}


def _contact_ref(contact):
    return {
        "id": contact.pk,
        "name": contact.name,
        "role": contact.role,
        "organisation": contact.organisation.name,
    }


def _contact_from_text(Contact, text):
    # str(contact) was "Name (Role label, Organisation)".
    if not isinstance(text, str) or not text:
        return None
    name = text.split(" (", 1)[0]
    candidates = [c for c in Contact.objects.filter(name=name).select_related("organisation")]
    for contact in candidates:
        if text.endswith(f"{contact.organisation.name})"):
            return contact
    return candidates[0] if len(candidates) == 1 else None


def forwards(apps, schema_editor):
    ChecklistTask = apps.get_model("concerns", "ChecklistTask")
    CaseEvent = apps.get_model("concerns", "CaseEvent")
    Contact = apps.get_model("partners", "Contact")
    ActionCard = apps.get_model("measures", "ActionCard")

    for task in ChecklistTask.objects.select_related("step"):
        if task.step_id:
            task.text_da, task.text_en = task.step.text_da, task.step.text_en
        else:
            task.text_da = task.text_en = task.text_nb
        task.save(update_fields=["text_da", "text_en"])

    from concerns.models.work import CaseActivity  # the labels, in each language

    activity_codes = {}
    for language in LANGUAGES:
        with translation.override(language):
            for code, label in CaseActivity.Kind.choices:
                activity_codes[str(label)] = code

    for event in CaseEvent.objects.filter(
        kind__in=["routed", "routing_withdrawn", "assigned", "checklist_applied", "task_done", "activity"]
    ):
        data = dict(event.data or {})
        if event.kind in ("routed", "routing_withdrawn") and "to" in data:
            contact = _contact_from_text(Contact, data.pop("to"))
            data["contact"] = _contact_ref(contact) if contact else None
        elif event.kind == "assigned":
            for key in ("from", "to"):
                if isinstance(data.get(key), str):
                    contact = _contact_from_text(Contact, data[key])
                    data[key] = _contact_ref(contact) if contact else None
        elif event.kind == "checklist_applied" and isinstance(data.get("card"), str):
            title = data["card"]
            card = next(
                (
                    card
                    for card in ActionCard.objects.all()
                    if title in (card.title_nb, card.title_da, card.title_en)
                ),
                None,
            )
            data["card"] = (
                {"id": card.pk, "title": _texts(card, "title")}
                if card
                else {"id": None, "title": dict.fromkeys(LANGUAGES, title)}
            )
        elif event.kind == "task_done" and isinstance(data.get("task"), str):
            text = data["task"]
            task = next(
                (
                    task
                    for task in ChecklistTask.objects.filter(concern_id=event.concern_id)
                    if task.text_nb[:200] == text or task.text_da[:200] == text
                    or task.text_en[:200] == text
                ),
                None,
            )
            data["task"] = (
                {"id": task.pk, "order": task.order, "text": _texts(task, "text")}
                if task
                else {"id": None, "order": None, "text": dict.fromkeys(LANGUAGES, text)}
            )
        elif event.kind == "activity" and "activity" in data:
            data["kind"] = activity_codes.get(data.pop("activity"), "other")
        else:
            continue
        event.data = data
        event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0008_trust_version_withdrawn_break_glass"),
        ("measures", "0007_action_card_municipality"),
        ("partners", "0007_security_event_detail"),
    ]

    operations = [
        migrations.RenameField("checklisttask", "text", "text_nb"),
        migrations.RenameField("historicalchecklisttask", "text", "text_nb"),
        migrations.AlterField(
            "checklisttask", "text_nb", models.TextField(verbose_name="what to do (nb)")
        ),
        migrations.AlterField(
            "historicalchecklisttask", "text_nb", models.TextField(verbose_name="what to do (nb)")
        ),
        migrations.AddField(
            "checklisttask",
            "text_da",
            models.TextField(default="", verbose_name="what to do (da)"),
            preserve_default=False,
        ),
        migrations.AddField(
            "checklisttask",
            "text_en",
            models.TextField(default="", verbose_name="what to do (en)"),
            preserve_default=False,
        ),
        migrations.AddField(
            "historicalchecklisttask",
            "text_da",
            models.TextField(default="", verbose_name="what to do (da)"),
            preserve_default=False,
        ),
        migrations.AddField(
            "historicalchecklisttask",
            "text_en",
            models.TextField(default="", verbose_name="what to do (en)"),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
