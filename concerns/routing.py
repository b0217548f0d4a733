"""Deciding where a submitted concern goes, from the routing rules in the database.

Primary rules are tried in order; the first that matches and resolves to an
active contact wins. Every matching "also" rule adds a recipient. When no
primary rule resolves, the municipality's coordinator takes the concern, so
a concern never reaches no one while the registry has a coordinator.
"""

from dataclasses import dataclass, replace

from django.db.models import Q

from concerns.models import Concern, RoutingRule
from measures.models import ActionCard
from partners.models import Contact, Municipality
from partners.selectors import COORDINATOR_ROLES, active_contacts, contact_in_municipality


@dataclass(frozen=True)
class RoutingInputs:
    """What the rules look at, read once from the concern."""

    municipality_id: int
    municipality: str
    reporter_organisation_id: int
    reporter_organisation: str
    organisation_kind: str
    age_band: str
    district_id: int | None
    district: str
    phenomenon_id: int
    phenomenon: str
    involves_conflict_travel: bool
    urgency: str

    @classmethod
    def of(cls, concern: Concern) -> "RoutingInputs":
        subject = concern.subject
        return cls(
            municipality_id=concern.municipality_id,
            municipality=concern.municipality.code,
            reporter_organisation_id=concern.reporter_organisation_id,
            reporter_organisation=concern.reporter_organisation.name,
            organisation_kind=concern.reporter_organisation.kind,
            age_band=concern.age_band(),
            district_id=subject.district_id,
            district=subject.district.name if subject.district_id else "",
            phenomenon_id=concern.phenomenon_id,
            phenomenon=concern.phenomenon.code,
            involves_conflict_travel=concern.involves_conflict_travel,
            urgency=concern.urgency,
        )

    def as_record(self) -> dict:
        """The inputs as stored on the decision: names and codes a person can read."""
        return {
            "municipality": self.municipality,
            "reporter_organisation": self.reporter_organisation,
            "organisation_kind": self.organisation_kind,
            "age_band": self.age_band,
            "district": self.district,
            "phenomenon": self.phenomenon,
            "involves_conflict_travel": self.involves_conflict_travel,
            "urgency": self.urgency,
        }


@dataclass(frozen=True)
class Route:
    rule: RoutingRule | None  # None: the municipality's fallback
    contact: Contact | None  # None only when the registry has no coordinator at all
    is_primary: bool
    consider_pst: bool
    action_card: ActionCard | None


def still_routes(rule: RoutingRule, inputs: RoutingInputs, contact: Contact | None) -> bool:
    """Whether the rule, as it is now, would still send this case to `contact`."""
    return rule.is_active and rule_matches(rule, inputs) and resolve_target(rule, inputs) == contact


def rule_matches(rule: RoutingRule, inputs: RoutingInputs) -> bool:
    conditions = [
        (rule.municipality_id, inputs.municipality_id),
        (rule.reporter_organisation_id, inputs.reporter_organisation_id),
        (rule.organisation_kind, inputs.organisation_kind),
        (rule.age_band, inputs.age_band),
        (rule.district_id, inputs.district_id),
        (rule.phenomenon_id, inputs.phenomenon_id),
        (rule.involves_conflict_travel, inputs.involves_conflict_travel),
        (rule.urgency, inputs.urgency),
    ]
    return all(wanted in (None, "") or wanted == actual for wanted, actual in conditions)


def resolve_target(rule: RoutingRule, inputs: RoutingInputs) -> Contact | None:
    target = RoutingRule.Target
    if rule.target == target.OWN_RESOURCE_PERSON:
        return (
            active_contacts()
            .filter(
                organisation_id=inputs.reporter_organisation_id, role=Contact.Role.RESOURCE_PERSON
            )
            .first()
        )
    if rule.target == target.MUNICIPAL_ROLE:
        return contact_in_municipality(inputs.municipality_id, [rule.target_role])
    if rule.target == target.DISTRICT_POLICE:
        if inputs.district_id is None:
            return None
        return (
            active_contacts()
            .filter(role=Contact.Role.DISTRICT_POLICE, districts=inputs.district_id)
            .first()
        )
    if rule.target == target.SPECIFIC_CONTACT:
        contact = rule.target_contact
        # Checked again here, not only when the rule was saved: the contact's
        # organisation may have stopped serving the municipality since.
        if (
            contact is None
            or not contact.is_active
            or not contact.organisation.serves(inputs.municipality_id)
        ):
            return None
        return contact
    return None


def rules_for(municipality: Municipality):
    return (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(municipality__isnull=True) | Q(municipality=municipality))
        .select_related("action_card", "target_contact__organisation")
        .order_by("order", "pk")
    )


def decide(concern: Concern) -> tuple[RoutingInputs, list[Route]]:
    """The routes for a concern: the primary route first, then every "also" route."""
    inputs = RoutingInputs.of(concern)
    primary: Route | None = None
    also: list[Route] = []
    for rule in rules_for(concern.municipality):
        if not rule_matches(rule, inputs):
            continue
        if rule.mode == RoutingRule.Mode.PRIMARY and primary is not None:
            continue
        contact = resolve_target(rule, inputs)
        if contact is None:
            continue  # e.g. "own resource person" when the organisation has none
        card = rule.action_card
        if card is not None and card.municipality_id != inputs.municipality_id:
            card = None  # another municipality's procedure never reaches a case
        route = Route(rule, contact, rule.mode == RoutingRule.Mode.PRIMARY, rule.consider_pst, card)
        if route.is_primary:
            primary = route
        elif all(existing.contact != contact for existing in also):
            also.append(route)
    if primary is None:
        fallback = contact_in_municipality(inputs.municipality_id, COORDINATOR_ROLES)
        primary = Route(None, fallback, True, False, None)
    # An "also" rule naming the primary contact adds no one, but its flag counts.
    if any(route.contact == primary.contact and route.consider_pst for route in also):
        primary = replace(primary, consider_pst=True)
    also = [route for route in also if route.contact != primary.contact]
    return inputs, [primary, *also]
