"""Free-text search in the inbox: PostgreSQL full text in each country's language.

A submitted concern carries a stored `search_vector`: the person's name
(weight A) and the observations (weight B), stemmed with the municipality's
language (norwegian or danish), behind a GIN index. A search is ranked and
runs inside the user's handler scope, so it never finds what the user may
not see. SQLite, the embedded default, searches with LIKE instead.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, Value

from concerns.models import Concern
from partners.models import Municipality

LANGUAGE_OF_COUNTRY = {
    Municipality.Country.NORWAY: "norwegian",
    Municipality.Country.DENMARK: "danish",
}


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def concern_index_for_search(*, concern: Concern) -> None:
    """Write the concern's search vector. Called by the services that change its text."""
    if not uses_full_text():
        return
    language = LANGUAGE_OF_COUNTRY.get(concern.municipality.country, "simple")
    vector = SearchVector(Value(concern.subject.name), weight="A", config=language) + SearchVector(
        "observations", weight="B", config=language
    )
    Concern.objects.filter(pk=concern.pk).update(search_vector=vector)


def search(concerns: QuerySet[Concern], text: str, countries) -> QuerySet[Concern]:
    """The concerns matching `text`, best match first (PostgreSQL) or newest first (SQLite)."""
    if not uses_full_text():
        return concerns.filter(Q(observations__icontains=text) | Q(subject__name__icontains=text))
    languages = sorted({LANGUAGE_OF_COUNTRY.get(country, "simple") for country in countries})
    languages = languages or ["simple"]
    queries = [
        SearchQuery(text, config=language, search_type="websearch") for language in languages
    ]
    match = Q()
    for query in queries:
        match |= Q(search_vector=query)
    query = queries[0]
    for other in queries[1:]:
        query |= other
    return concerns.filter(match).annotate(rank=SearchRank(F("search_vector"), query))


def reindex_all() -> None:
    """Every submitted concern's vector in one statement (benchmark seeding, repairs)."""
    if not uses_full_text():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE concerns_concern AS c
            SET search_vector =
                setweight(to_tsvector(l.language, coalesce(s.name, '')), 'A')
                || setweight(to_tsvector(l.language, coalesce(c.observations, '')), 'B')
            FROM concerns_subject AS s, partners_municipality AS m,
                 LATERAL (
                     SELECT (CASE m.country WHEN 'DK' THEN 'danish' ELSE 'norwegian' END)::regconfig
                     AS language
                 ) AS l
            WHERE s.id = c.subject_id AND m.id = c.municipality_id AND c.status <> 'draft'
            """
        )
