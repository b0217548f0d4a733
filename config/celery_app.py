import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("bekymring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_stale_db_connections(task=None, **kwargs):
    # A worker lives for days; a connection the database dropped overnight
    # must not fail the next task. A task applied in place (eagerly) runs in
    # its caller's transaction, whose connection is not ours to close.
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
