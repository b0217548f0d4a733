from django.shortcuts import render

from measures import selectors


def knowledge_index(request):
    return render(request, "measures/index.html")


def plans(request):
    return render(
        request,
        "measures/plans.html",
        {"goal_areas": selectors.trondheim_plan(), **selectors.aalborg_plan()},
    )


def action_cards(request):
    return render(request, "measures/action_cards.html", {"cards": selectors.action_cards()})


def signs(request):
    return render(request, "measures/signs.html", selectors.signs_guide())


def phenomena(request):
    return render(request, "measures/phenomena.html", {"phenomena": selectors.phenomena()})
