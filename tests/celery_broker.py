"""Run queued tasks by taking them off the real broker (Redis in CI, the filesystem locally).

The tasks then run in the test's own thread, so they see the test database.
"""

from kombu import Connection

from config.celery_app import app


def drain_broker(timeout: float = 2.0) -> list[str]:
    ran = []
    with Connection(
        app.conf.broker_url, transport_options=app.conf.broker_transport_options
    ) as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(timeout=timeout)
                except queue.Empty:
                    break
                args, kwargs, _embed = message.payload
                name = message.headers["task"]
                app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
                message.ack()
                ran.append(name)
        finally:
            queue.close()
    return ran


def purge_broker() -> None:
    with Connection(
        app.conf.broker_url, transport_options=app.conf.broker_transport_options
    ) as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        queue.clear()
        queue.close()
