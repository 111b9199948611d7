"""The desk's screens: each is a blueprint plus its nav entries; add new ones to `all_screens()`."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint

from claimsdesk.services.users import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link in the top bar, shown to `min_role` and above, with an optional key sequence."""

    endpoint: str
    label: str
    min_role: Role = Role.SPECIALIST
    shortcut: str | None = None  # e.g. "g h": press g then h


@dataclass(frozen=True, slots=True)
class Screen:
    """A blueprint and the nav items that lead to it."""

    blueprint: Blueprint
    nav: tuple[NavItem, ...] = field(default=())


def all_screens() -> list[Screen]:
    """Every screen in nav order; later work (queues, items, search) adds its SCREEN here."""
    from claimsdesk.web.screens import (
        admin,
        api,
        api_actions,  # noqa: F401  (adds the action routes to api's blueprint)
        api_outbound,  # noqa: F401  (adds appeals and outbound claims to api's blueprint)
        appeals,
        audit_log,
        auth,
        claims,
        home,
        item_outbound,  # noqa: F401  (adds appeal, corrected claim, secondary to items)
        items,
        manager,
        mine,
        queues,
        search,
    )

    desk = [mine.SCREEN, queues.SCREEN, search.SCREEN, appeals.SCREEN, manager.SCREEN]
    desk += [items.SCREEN, claims.SCREEN]
    return [home.SCREEN, *desk, audit_log.SCREEN, admin.SCREEN, auth.SCREEN, api.SCREEN]
