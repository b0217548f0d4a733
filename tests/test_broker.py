"""The Celery app talks to the configured broker: Redis in CI, the filesystem on a laptop."""

import uuid

from kombu import Connection

from config.celery_app import app


def test_the_configured_broker_carries_a_message_there_and_back(settings):
    queue_name = f"test-roundtrip-{uuid.uuid4().hex}"
    payload = {"probe": uuid.uuid4().hex}
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
    ) as connection:
        queue = connection.SimpleQueue(queue_name)
        try:
            queue.put(payload)
            message = queue.get(timeout=5)
            message.ack()
            assert message.payload == payload
        finally:
            queue.clear()
            queue.close()


def test_celery_uses_the_broker_from_the_environment(settings):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
