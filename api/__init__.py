"""JSON routes of the Flask server (public ones are listed in `auth.guard.ANONYMOUS_PATHS`)."""
