class NoStoreForSignedInMiddleware:
    """Keep case data out of browser and proxy caches.

    Pages for a signed-in user may name a child and a suspicion about them;
    on a shared school PC the back button must not bring them back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
