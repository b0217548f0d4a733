"""Facts about a request that several apps need, read in one place."""


def client_ip(request) -> str | None:
    # Behind the reverse proxy, REMOTE_ADDR is the proxy unless the proxy passes
    # the client on (docs/deployment.md: gunicorn --forwarded-allow-ips).
    # Never read X-Forwarded-For here: any client can write it.
    return request.META.get("REMOTE_ADDR") or None
