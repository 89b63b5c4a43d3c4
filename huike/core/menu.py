"""The console's main menu: entries grouped by the work they serve, each shown to whoever holds
its permissions. A group with one visible entry shows as a plain link. See decision 0028.

An entry is active on any of its pages (``pages`` are URL names), and its group with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import has_perm


@dataclass(frozen=True)
class Entry:
    key: str  # the test id is "nav-<key>"
    label: Promise
    url_name: str
    needs: tuple[str, ...]  # every permission code listed is required
    pages: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()  # and, when given, at least one of these

    def shown_to(self, user) -> bool:
        return all(has_perm(user, code) for code in self.needs) and (
            not self.any_of or any(has_perm(user, code) for code in self.any_of)
        )

    @property
    def testid(self) -> str:
        return f"nav-{self.key}"


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    entries: tuple[Entry, ...] = field(default_factory=tuple)


MENU: tuple[Group, ...] = (
    Group(
        "guests",
        _("Guest relations"),
        (
            Entry(
                "guests",
                _("Guests"),
                "guest_list",
                ("guests.view",),
                (
                    "guest_create guest_detail guest_edit tag_list tag_edit duplicate_list "
                    "guest_merge merge_list merge_detail"
                ).split(),
            ),
            Entry(
                "call-centre",
                _("Call centre"),
                "guest_capture_call_centre",
                ("guests.capture",),
            ),
            Entry("orders", _("Orders"), "order_list", ("orders.view",), ("order_detail",)),
        ),
    ),
    Group(
        "reservations",
        _("Reservations"),
        (
            Entry(
                "desk",
                _("Reservation desk"),
                "telephony_desk",
                ("telephony.desk",),
                ("telephony_call_pop", "telephony_lines"),
            ),
            Entry(
                "bookings",
                _("Bookings"),
                "booking_day",
                ("reservations.view",),
                (
                    "booking_new booking_detail booking_timeline booking_rules "
                    "booking_rule_create booking_rule_edit booking_rule_delete"
                ).split(),
            ),
            Entry("floor", _("Floor"), "floor", ("reservations.view",)),
            Entry("waitlist", _("Waitlist"), "waitlist", ("reservations.view",)),
            Entry(
                "table-orders",
                _("Table orders"),
                "table_orders",
                (),
                ("table_codes", "table_codes_print", "pre_order_edit"),
                any_of=("reservations.view", "tableorders.handle"),
            ),
            Entry("notices", _("Booking notices"), "notice_policy", ("reservations.view",)),
            Entry(
                "tables",
                _("Tables and rooms"),
                "tables_home",
                ("menu.view",),
                ("store_tables", "table_create", "table_edit"),
            ),
        ),
    ),
    Group(
        "membership",
        _("Membership"),
        (
            Entry("cards", _("Membership cards"), "loyalty_card_list", ("loyalty.view",)),
            Entry(
                "checkout",
                _("Member checkout"),
                "loyalty_checkout",
                ("orders.post", "loyalty.view"),
                ("loyalty_checkout_done",),
            ),
            Entry(
                "coupons",
                _("Coupons"),
                "coupon_template_list",
                ("coupons.view",),
                (
                    "coupon_template_create coupon_template coupon_template_edit coupon_detail "
                    "coupon_scan"
                ).split(),
            ),
            Entry(
                "pricing",
                _("Member pricing"),
                "pricing_home",
                ("pricing.view",),
                ("pricing_member_price", "pricing_rule", "pricing_rule_create", "pricing_quote"),
            ),
            Entry(
                "gifts",
                _("Points for gifts"),
                "gift_list",
                ("gifts.view",),
                (
                    "gift_create gift_edit gift_stock gift_redeem gift_redeem_card "
                    "gift_redemption_list"
                ).split(),
            ),
            Entry(
                "recruitment",
                _("Member recruitment"),
                "recruitment_progress",
                ("recruitment.view",),
                ("target_create", "target_edit", "target_delete"),
            ),
        ),
    ),
    Group(
        "operations",
        _("Operations"),
        (
            Entry(
                "dishes",
                _("Dishes"),
                "dish_list",
                ("menu.view",),
                ("dish_create", "dish_edit", "dish_import", "category_list", "category_edit"),
            ),
            Entry(
                "competitors",
                _("Competitors"),
                "competitor_list",
                ("competitors.view",),
                (
                    "competitor_create competitor_detail competitor_edit competitor_comparison"
                ).split(),
            ),
            Entry("outbox", _("Outbox"), "message_list", ("messaging.view",)),
        ),
    ),
    Group(
        "admin",
        _("Administration"),
        (
            Entry(
                "stores",
                _("Stores"),
                "store_list",
                ("org.view",),
                ("store_create", "store_edit"),
            ),
            Entry(
                "brands", _("Brands"), "brand_list", ("org.view",), ("brand_create", "brand_edit")
            ),
            Entry(
                "staff",
                _("Staff"),
                "staff_list",
                ("org.view",),
                ("staff_create", "staff_edit", "staff_password"),
            ),
            Entry(
                "org-tree",
                _("Org tree"),
                "org_tree",
                ("org.view",),
                ("org_unit_add", "org_unit_rename", "org_unit_delete"),
            ),
            Entry(
                "roles",
                _("Roles"),
                "role_list",
                ("org.manage_roles",),
                ("role_create", "role_edit"),
            ),
            Entry("audit", _("Audit log"), "audit_search", ("core.view_audit",)),
            Entry("admin", _("Back office"), "admin:index", ("core.use_admin",)),
        ),
    ),
)


@dataclass
class ShownEntry:
    testid: str
    label: str
    url: str
    active: bool


@dataclass
class ShownGroup:
    key: str
    label: str
    entries: list[ShownEntry]

    @property
    def active(self) -> bool:
        return any(e.active for e in self.entries)


def menu_for(user, current: str | None) -> list[ShownGroup]:
    """The groups of the menu ``user`` may see, with the entry of page ``current`` active."""
    shown = []
    for group in MENU:
        entries = [
            ShownEntry(
                testid=entry.testid,
                label=str(entry.label),
                url=reverse(entry.url_name),
                active=current in (entry.url_name, *entry.pages),
            )
            for entry in group.entries
            if entry.shown_to(user)
        ]
        if entries:
            shown.append(ShownGroup(key=group.key, label=str(group.label), entries=entries))
    return shown
