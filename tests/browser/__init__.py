"""Browser tests (dash_duo, headless Chromium)."""
