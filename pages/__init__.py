"""Dash pages: one module per page (`dash.register_page` + `layout()` + its callbacks, ids prefixed by page).

Roles per page come from `components.nav.MENU` (or `register_page(..., roles=...)`); `create_app`
wraps every page layout in that role guard, and each data callback uses `auth.authorized`.
Callbacks are registered with `dash.callback` at module level: page modules are executed again for
every `create_app`, so shared pieces must not register callbacks at import (use `register_*(app)`).
"""
