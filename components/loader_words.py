"""The loaders' messages (row reasons, whole-file refusals) and input column names in the user's language.

The loaders write plain English sentences into the quarantine and the run log (the CLI and the JSON
report read them as they are); the interface shows each through one of the `reason.*` patterns below,
with the column named by its Russian header (the schema's first alias). A sentence no pattern knows is
shown unchanged.
"""
from __future__ import annotations

import functools
import re

import pandas as pd

from components.i18n import current_language, register_strings, t

register_strings({
    "reason.missing": {"ru": "не заполнено обязательное поле", "en": "missing required value"},
    "reason.integer": {"ru": "{column}: нужно целое число, а не {value}", "en": "{column} must be a whole number, not {value}"},
    "reason.number": {"ru": "{column}: не число: {value}", "en": "{column} is not a number: {value}"},
    "reason.bool": {"ru": "{column}: нужно «да» или «нет», а не {value}", "en": "{column} must be yes or no, not {value}"},
    "reason.enum": {"ru": "{column}: допустимо {allowed}, а не {value}", "en": "{column} must be {allowed}, not {value}"},
    "reason.allowed": {"ru": "{column}: допустимо {allowed}", "en": "{column} must be {allowed}"},
    "reason.date": {"ru": "дата не распознана: {value}", "en": "date not recognised: {value}"},
    "reason.recommend10": {"ru": "{column}: нужно целое от 0 до 10 (в файле шкала 0–10), а не {value}",
                           "en": "{column} must be a whole number 0–10 (the file uses the 0–10 scale), not {value}"},
    "reason.likert": {"ru": "{column}: нужна оценка 1–5 или её название, а не {value}",
                      "en": "{column} must be 1–5 or an answer label, not {value}"},
    "reason.negative": {"ru": "{column}: не может быть отрицательным", "en": "{column} must not be negative"},
    "reason.minimum": {"ru": "{column}: не меньше {minimum}", "en": "{column} must be at least {minimum}"},
    "reason.long": {"ru": "{column}: длиннее {limit} символов", "en": "{column} is longer than {limit} characters"},
    "reason.earlier": {"ru": "{column} раньше, чем {other}", "en": "{column} is earlier than {other}"},
    "reason.unknown_ref": {"ru": "{what}: неизвестный {target} {value}", "en": "{what} of unknown {target} {value}"},
    "reason.duplicate": {"ru": "повтор ключа ({key}): строка {row} ниже в файле с тем же ключом загружена вместо этой",
                         "en": "duplicate key ({key}): row {row} later in the file has the same key and is loaded"},
    "reason.manual_comment": {"ru": "у ручной проверки монитора нет комментария",
                              "en": "manual monitor test needs a comment"},
    "reason.summed": {"ru": ("{n} повторная строка сложена с первой", "{n} повторные строки сложены с первыми",
                             "{n} повторных строк сложено с первыми"),
                      "en": ("{n} repeated row summed", "{n} repeated rows summed")},
    "refusal.file": {"ru": "{file}: {text}", "en": "{file}: {text}"},
    "refusal.not_found": {"ru": "файл не найден", "en": "file not found"},
    "refusal.folder": {"ru": "это папка, а не файл", "en": "is a folder, not a file"},
    "refusal.unreadable": {"ru": "файл не читается: {detail}", "en": "cannot read the file: {detail}"},
    "refusal.xls": {"ru": "старый формат Excel 97-2003 (.xls) не поддерживается: сохраните файл как XLSX или CSV",
                    "en": "old Excel 97-2003 (.xls) files are not supported: save it as XLSX or CSV"},
    "refusal.not_table": {"ru": "это не CSV и не XLSX ({detail})", "en": "not a CSV or XLSX file ({detail})"},
    "refusal.empty": {"ru": "файл пустой", "en": "the file is empty"},
    "refusal.no_header": {"ru": "в файле нет строки заголовков", "en": "the file has no header row"},
    "refusal.no_rows": {"ru": "в файле есть заголовки, но нет строк данных", "en": "the file has a header but no data rows"},
    "refusal.both_mean": {"ru": "колонки «{first}» и «{second}» означают одно и то же ({column})",
                          "en": "columns '{first}' and '{second}' both mean {column}"},
    "refusal.header_twice": {"ru": "колонка «{column}» повторяется в заголовке: оставьте одну",
                             "en": "column '{column}' appears more than once in the header: keep one"},
    "refusal.missing_columns": {"ru": "для вида «{kind}» не хватает обязательных колонок: {columns}",
                                "en": "missing required columns for {kind}: {columns}"},
    "refusal.unknown_kind": {"ru": "вид данных не определён: ни имя файла, ни заголовки не подходят ни к одному виду",
                             "en": "unknown kind: neither the file name nor the header names a kind"},
    "refusal.ragged": {"ru": "в строке {line} больше полей, чем в заголовке: проверьте разделитель и кавычки",
                       "en": "line {line} has more fields than the header: check the delimiter and the quotes"},
    "refusal.csv": {"ru": "CSV не читается: {detail}", "en": "the CSV cannot be read: {detail}"},
    "refusal.encoding": {"ru": "файл не в UTF-8 и не в Windows-1251 ({detail})",
                         "en": "undecodable bytes: the file is neither UTF-8 nor Windows-1251 ({detail})"},
    "refusal.no_sheets": {"ru": "в книге нет листов", "en": "the workbook has no sheets"},
    "refusal.bad_xlsx": {"ru": "файл XLSX повреждён", "en": "not a valid XLSX file"},
    "refusal.database": {"ru": "база данных не приняла файл: {detail}", "en": "the database refused the file: {detail}"},
    "ref.client": {"ru": "клиент", "en": "client"}, "ref.project": {"ru": "проект", "en": "project"},
    "ref.monitor test": {"ru": "тест монитора", "en": "monitor test"},
    "ref.license key": {"ru": "лицензионный ключ", "en": "license key"},
    "ref.survey": {"ru": "анкета", "en": "survey"}, "ref.ticket": {"ru": "обращение", "en": "ticket"},
    "ref.pause": {"ru": "пауза", "en": "pause"}, "ref.work": {"ru": "работа", "en": "work"},
    "ref.deposit": {"ru": "депозит", "en": "deposit"}, "ref.points": {"ru": "баллы", "en": "points"},
    "ref.report": {"ru": "отчёт", "en": "report"}, "ref.contract": {"ru": "договор", "en": "contract"},
    "ref.lead": {"ru": "лид", "en": "lead"}, "ref.partner": {"ru": "партнёр", "en": "partner"},
    "ref.staff member": {"ru": "сотрудник", "en": "staff member"},
})

C = r"(?P<column>[a-z_0-9]+)"
# row reasons (loaders.ingest, loaders.schemas) and whole-file refusals (loaders.read, loaders.ingest)
PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p + "$"), key) for p, key in (
    (r"missing required value", "reason.missing"),
    (C + r" must be a whole number 0–10 \(this file uses the 0–10 scale\), not (?P<value>.*)", "reason.recommend10"),
    (C + r" must be a whole number, not (?P<value>.*)", "reason.integer"),
    (C + r" is not a number: (?P<value>.*)", "reason.number"),
    (C + r" must be yes or no \(да/нет, true/false, 1/0\), not (?P<value>.*)", "reason.bool"),
    (C + r" must be 1–5 or an answer label, not (?P<value>.*)", "reason.likert"),
    (C + r" must not be negative", "reason.negative"),
    (C + r" must be at least (?P<minimum>\S+)", "reason.minimum"),
    (C + r" must be (?P<allowed>.+), not (?P<value>.*)", "reason.enum"),
    (C + r" must be (?P<allowed>.+)", "reason.allowed"),
    (r"date not recognised: (?P<value>.*)", "reason.date"),
    (C + r" is longer than (?P<limit>\d+) characters", "reason.long"),
    (C + r" is earlier than (?P<other>[a-z_]+)", "reason.earlier"),
    (r"(?P<what>[a-z ]+?) (?:of|for|on|by) unknown (?P<target>[a-z ]+?) (?P<value>\S+)", "reason.unknown_ref"),
    (r"duplicate key \((?P<key>[^)]*)\): row (?P<row>\d+) later in the file has the same key and is loaded",
     "reason.duplicate"),
    (r"manual monitor test needs a comment", "reason.manual_comment"),
    (r"(?P<n>\d+) repeated rows summed", "reason.summed"),
    (r"file not found", "refusal.not_found"),
    (r"is a folder, not a file", "refusal.folder"),
    (r"cannot read the file: (?P<detail>.*)", "refusal.unreadable"),
    (r"old Excel 97-2003 \(\.xls\) files are not supported: save it as XLSX or CSV", "refusal.xls"),
    (r"not a CSV or XLSX file \((?P<detail>.*)\)", "refusal.not_table"),
    (r"the file is empty", "refusal.empty"),
    (r"the file has no header row", "refusal.no_header"),
    (r"the file has a header but no data rows", "refusal.no_rows"),
    (r"columns '(?P<first>.*)' and '(?P<second>.*)' both mean (?P<column>\w+)", "refusal.both_mean"),
    (r"column '(?P<column>.*)' appears more than once in the header: keep one", "refusal.header_twice"),
    (r"missing required columns? for (?P<kind>\w+): (?P<columns>.*)", "refusal.missing_columns"),
    (r"unknown kind: .*", "refusal.unknown_kind"),
    (r"line (?P<line>\d+) has more fields than the header: check the delimiter and the quotes", "refusal.ragged"),
    (r"the CSV cannot be read: (?P<detail>.*)", "refusal.csv"),
    (r"undecodable bytes(?P<detail>.*)", "refusal.encoding"),
    (r"the workbook has no sheets", "refusal.no_sheets"),
    (r"not a valid XLSX file.*", "refusal.bad_xlsx"),
    (r"the database refused the file: (?P<detail>.*)", "refusal.database"),
))
FILE_PREFIX = re.compile(r"^(?P<file>[^:/\\]+\.(?:csv|xlsx|xls|txt|tsv)|[^:]*[/\\][^:]*): (?P<text>.*)$", re.IGNORECASE)


@functools.cache
def _column_headers() -> dict[str, str]:
    """Input column name -> its Russian header (the first alias of the first schema that has the column)."""
    from loaders.schemas import SCHEMAS

    headers: dict[str, str] = {}
    for schema in SCHEMAS.values():
        for column in schema.columns:
            if column.aliases and column.name not in headers:
                headers[column.name] = column.aliases[0]
    return headers


def column_word(name: object, lang: str | None = None) -> object:
    """An input column in the user's language: its Russian header in Russian, its name in English."""
    if not isinstance(name, str) or (lang or current_language()) != "ru":
        return name
    return ", ".join(_column_headers().get(part, part) for part in name.split(", "))


def file_name(path: object) -> object:
    """The file's own name from a stored path (uploads and demo loads pass through temporary folders)."""
    return re.split(r"[/\\]", path)[-1] if isinstance(path, str) else path


def loader_message(text: object, lang: str | None = None) -> object:
    """A loader sentence in the user's language; the file prefix of a refusal keeps the file's own name."""
    if not isinstance(text, str) or not text:
        return text
    prefixed = FILE_PREFIX.match(text)
    if prefixed and any(p.match(prefixed.group("text")) for p, _ in PATTERNS):
        return t("refusal.file", lang, file=file_name(prefixed.group("file")),
                 text=loader_message(prefixed.group("text"), lang))
    for pattern, key in PATTERNS:
        match = pattern.match(text)
        if match:
            values = dict(match.groupdict())
            for name in ("column", "other", "key", "columns"):
                if name in values:
                    values[name] = column_word(values[name], lang)
            if key == "reason.unknown_ref":
                values["what"] = t(f"ref.{values['what']}", lang)
                values["target"] = t(f"ref.{values['target']}", lang)
            if key == "refusal.missing_columns":
                values["kind"] = t(f"kind.{values['kind']}", lang)
            if "n" in values:
                values["n"] = int(values["n"])
            return t(key, lang, **values)
    return text


def loader_messages(values: pd.Series) -> pd.Series:
    """`loader_message` of a column, each distinct sentence translated once."""
    uniques = values.dropna().unique()
    return values.map({u: loader_message(u) for u in uniques}).where(values.notna(), values)
