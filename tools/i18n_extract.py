"""Write every registered interface string into the gettext catalogs (`python -m tools.i18n_extract`).

Builds the app once (which imports every page and component, so each `register_strings` runs), then
writes `translations/<lang>/LC_MESSAGES/messages.po` for ru and en: one entry per key, message id =
key, the registered text as the translation (a tuple of forms becomes a plural entry). Entries of the
catalogs that no module registers any more are dropped. `--check` writes nothing and exits 1 when a
catalog would change (what `tests/unit/test_i18n.py` asserts too).
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from components import i18n

HEADER = "Partner Quality Monitor interface strings. Written by `python -m tools.i18n_extract`."


def registered_strings() -> dict[str, dict[str, str | tuple[str, ...]]]:
    """Every string the app registers: build an app (imports pages and components) on a scratch database."""
    from app import create_app
    from config import Config

    with tempfile.TemporaryDirectory() as folder:
        create_app(Config(database_url=f"sqlite:///{Path(folder) / 'extract.db'}", testing=True))
        import components.labels  # noqa: F401 - code labels, also imported by the pages
    return dict(i18n.STRINGS)


def catalog_text(strings: dict[str, dict[str, str | tuple[str, ...]]], lang: str) -> bytes:
    """The .po file of `lang` for `strings`, keys sorted (stable diffs)."""
    catalog = Catalog(locale=lang, domain=i18n.DOMAIN, project="Partner Quality Monitor", version="1",
                      header_comment=f"# {HEADER}", fuzzy=False, charset="utf-8")
    for key in sorted(strings):
        text = strings[key].get(lang, "")
        if isinstance(text, tuple):
            catalog.add((key, key), text)
        else:
            catalog.add(key, text)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    # the creation date changes on every run: drop it so unchanged strings give an unchanged file
    lines = [line for line in buffer.getvalue().split(b"\n") if not line.startswith(b'"POT-Creation-Date')
             and not line.startswith(b'"PO-Revision-Date')]
    return b"\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the catalogs are current")
    args = parser.parse_args(argv)
    strings = registered_strings()
    stale = []
    for lang in i18n.LANGUAGES:
        path = i18n.po_path(lang)
        text = catalog_text(strings, lang)
        if not path.exists() or path.read_bytes() != text:
            stale.append(str(path))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)
    verb = "stale" if args.check else "written"
    print(f"{len(strings)} strings; {verb}: {', '.join(stale) or 'none'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
