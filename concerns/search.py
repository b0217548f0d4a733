"""Free-text search in the inbox: PostgreSQL full text in each country's language.

A submitted concern carries a stored `search_vector`: the person's name
(weight A) and the observations (weight B), stemmed with the municipality's
language (norwegian or danish), behind a GIN index. A search is ranked and
runs inside the user's handler scope, so it never finds what the user may
not see. SQLite, the embedded default, searches with LIKE instead.

PostgreSQL's parser reads `<...>` as an HTML tag and drops it, so a reporter's
"he wrote <words in brackets>" would lose those words from the index, and a
search for text pasted from a case would find nothing. Angle brackets are
therefore spaces, on both sides: in the stored vector and in the query.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value

from concerns.models import Concern
from partners.models import Municipality

LANGUAGE_OF_COUNTRY = {
    Municipality.Country.NORWAY: "norwegian",
    Municipality.Country.DENMARK: "danish",
}


# Characters read as spaces before parsing; see the module docstring.
MARKUP = "<>"
AS_SPACES = str.maketrans(MARKUP, " " * len(MARKUP))


def _as_words(expression):
    """SQL: the text with markup characters as spaces, as `search` treats the query."""
    return Func(
        expression,
        Value(MARKUP),
        Value(" " * len(MARKUP)),
        function="translate",
        output_field=TextField(),
    )


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def concern_index_for_search(*, concern: Concern) -> None:
    """Write the concern's search vector. Called by the services that change its text."""
    if not uses_full_text():
        return
    language = LANGUAGE_OF_COUNTRY.get(concern.municipality.country, "simple")
    name = Value(concern.subject.name.translate(AS_SPACES))
    vector = SearchVector(name, weight="A", config=language) + SearchVector(
        _as_words(F("observations")), weight="B", config=language
    )
    Concern.objects.filter(pk=concern.pk).update(search_vector=vector)


def search(concerns: QuerySet[Concern], text: str, countries) -> QuerySet[Concern]:
    """The concerns matching `text`, best match first (PostgreSQL) or newest first (SQLite)."""
    if not uses_full_text():
        return concerns.filter(Q(observations__icontains=text) | Q(subject__name__icontains=text))
    languages = sorted({LANGUAGE_OF_COUNTRY.get(country, "simple") for country in countries})
    languages = languages or ["simple"]
    words = text.translate(AS_SPACES)
    queries = [
        SearchQuery(words, config=language, search_type="websearch") for language in languages
    ]
    match = Q()
    for query in queries:
        match |= Q(search_vector=query)
    query = queries[0]
    for other in queries[1:]:
        query |= other
    return concerns.filter(match).annotate(rank=SearchRank(F("search_vector"), query))


def reindex_all(using=None) -> None:
    """Every submitted concern's vector in one statement (benchmark seeding, migrations)."""
    using = using or connection
    if using.vendor != "postgresql":
        return
    with using.cursor() as cursor:
        cursor.execute(
            """
            UPDATE concerns_concern AS c
            SET search_vector =
                setweight(to_tsvector(l.language, translate(coalesce(s.name, ''), %s, %s)), 'A')
                || setweight(
                    to_tsvector(l.language, translate(coalesce(c.observations, ''), %s, %s)), 'B'
                )
            FROM concerns_subject AS s, partners_municipality AS m,
                 LATERAL (
                     SELECT (CASE m.country WHEN 'DK' THEN 'danish' ELSE 'norwegian' END)::regconfig
                     AS language
                 ) AS l
            WHERE s.id = c.subject_id AND m.id = c.municipality_id AND c.status <> 'draft'
            """,
            [MARKUP, " " * len(MARKUP)] * 2,
        )
