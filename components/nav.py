"""The menu in one place: every page path with the roles that may open it (SPEC §1, §8)."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc

from components.i18n import t

ANY_ROLE = frozenset({"partner", "service_manager", "management", "admin"})


@dataclass(frozen=True)
class MenuItem:
    """A menu entry: `path` (or every registered page under it when `section`), its label key and roles.

    `roles=None` marks a public page (no log-in needed, e.g. the partner directory).
    """

    path: str
    label_key: str
    roles: frozenset[str] | None
    section: bool = False

    def covers(self, path: str) -> bool:
        return path == self.path or (self.section and path.startswith(self.path + "/"))


MENU: tuple[MenuItem, ...] = (
    MenuItem("/", "nav.home", ANY_ROLE),
    MenuItem("/quality", "nav.quality", frozenset({"partner", "management", "admin"})),
    MenuItem("/my/programmes", "pp.nav", frozenset({"partner"})),
    MenuItem("/meeting", "nav.meeting", frozenset({"service_manager", "management", "admin"})),
    MenuItem("/trends", "nav.trends", frozenset({"management", "admin"})),
    MenuItem("/programs", "nav.programs", frozenset({"management", "admin"}), section=True),
    MenuItem("/admin", "nav.admin", frozenset({"admin"}), section=True),
    MenuItem("/directory", "nav.directory", None),  # its own public app under /directory/ (pages/directory.py)
)


def menu_item_for(path: str) -> MenuItem | None:
    """The menu entry governing `path` (exact path first, then its section)."""
    exact = [m for m in MENU if m.path == path]
    return exact[0] if exact else next((m for m in MENU if m.covers(path)), None)


def roles_for_page(page: Mapping[str, Any]) -> frozenset[str] | None:
    """Roles allowed on a registered page: its own `roles=` in register_page, else the menu's.

    None = public; a page unknown to the menu is open to every logged-in role.
    """
    if "roles" in page:
        return None if page["roles"] is None else frozenset(page["roles"])
    item = menu_item_for(page.get("path", ""))
    return item.roles if item is not None else ANY_ROLE


def _label(page: Mapping[str, Any]) -> str:
    key = page.get("label_key")
    return t(key) if key else str(page.get("name", page.get("path")))


def page_title(page: Mapping[str, Any], **_path_variables: str) -> str:
    """The browser tab title of `page` in the user's language: «Тренды · Монитор качества партнёров»."""
    key = page.get("label_key") or getattr(menu_item_for(page.get("path", "")), "label_key", None)
    return f"{t(key)} · {t('product')}" if key else t("product")


def menu_for(role: str | None, registry: Mapping[str, Mapping[str, Any]],
             public_apps: Collection[str] = ()) -> list[Any]:
    """Navbar entries for `role` (None = anonymous): only pages registered and allowed to the role,
    and the public pages served by their own app (`public_apps`, e.g. the directory)."""
    pages = sorted(registry.values(), key=lambda p: (p.get("order") or 0, p.get("path", "")))
    entries: list[Any] = []
    for item in MENU:
        allowed = item.roles is None or (role is not None and role in item.roles)
        if not allowed:
            continue
        if item.section:
            children = [p for p in pages if p.get("path", "").startswith(item.path + "/")]
            if children:
                entries.append(dbc.DropdownMenu(
                    [dbc.DropdownMenuItem(_label(p), href=p["path"]) for p in children],
                    label=t(item.label_key), nav=True, in_navbar=True,
                    id=f"nav-{item.path.strip('/')}",
                ))
        elif item.roles is None and item.path in public_apps:
            entries.append(dbc.NavItem(dbc.NavLink(
                t(item.label_key), href=item.path + "/", external_link=True, id=f"nav-{item.path.strip('/')}",
            )))
        elif any(p.get("path") == item.path for p in pages):
            entries.append(dbc.NavItem(dbc.NavLink(
                t(item.label_key), href=item.path, active="exact", id=f"nav-{item.path.strip('/') or 'home'}",
            )))
    return entries
