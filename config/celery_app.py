import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("bekymring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_stale_db_connections(**kwargs):
    # A worker lives for days; a connection the database dropped overnight
    # must not fail the next task.
    from django.db import close_old_connections

    close_old_connections()
