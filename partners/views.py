from django.shortcuts import render

from partners.selectors import search_directory, who_to_contact


def directory(request):
    query = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "partners/directory.html",
        {
            "cards": who_to_contact(request.user),
            "query": query,
            "results": search_directory(query) if query else None,
        },
    )
