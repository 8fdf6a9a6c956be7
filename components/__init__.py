"""Shared Dash pieces: navbar shell, KPI cards, empty states, grids, charts, formatting, i18n, cache."""
