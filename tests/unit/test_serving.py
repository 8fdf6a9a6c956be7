"""A serving process (gunicorn's `app:server()`, the embedded `app.main`, the bench's serving process)."""
from __future__ import annotations

import gc


def test_a_serving_process_freezes_the_objects_of_its_start_so_full_collections_skip_them():
    from app import ready_to_serve

    built = object()
    gc.unfreeze()
    try:
        assert ready_to_serve(built) is built
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
