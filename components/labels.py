"""Words for the codes the data carries (counts with plurals, audit events, loader reasons) in ru and en.

Pages show a code through `t("<group>.<code>")`; the groups registered here are shared by several pages.
"""
from __future__ import annotations

from components.i18n import register_strings

register_strings({
    # plurals: ru one / few / many, en one / other (gettext order)
    "n.answers": {"ru": ("{n} ответ", "{n} ответа", "{n} ответов"), "en": ("{n} answer", "{n} answers")},
    "n.partners": {"ru": ("{n} партнёр", "{n} партнёра", "{n} партнёров"), "en": ("{n} partner", "{n} partners")},
    "n.rows": {"ru": ("{n} строка", "{n} строки", "{n} строк"), "en": ("{n} row", "{n} rows")},
    "n.tickets": {"ru": ("{n} обращение", "{n} обращения", "{n} обращений"), "en": ("{n} ticket", "{n} tickets")},
    "n.projects": {"ru": ("{n} проект", "{n} проекта", "{n} проектов"), "en": ("{n} project", "{n} projects")},
})
