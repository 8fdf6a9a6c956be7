"""Declarative schemas of the input files of SPEC §3: one `KindSchema` per kind, read like the spec table.

The loader (`loaders.ingest`) is generic; the kinds are data: column types, required columns,
defaults, allowed values, Russian header aliases, references to other kinds, cross-column rules
(vectorized masks) and how a naive timestamp finds its time zone. String length limits come from
the store models, so a value that the database would refuse is rejected as a row, not a crash.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import String

from store.models import KIND_TABLES

# dependency order of a folder load: referenced kinds first
LOAD_ORDER: tuple[str, ...] = (
    "partners", "staff", "clients", "projects", "monitor_tests", "license_keys", "surveys", "tickets",
    "ticket_pauses", "worklog", "deposits", "kkv_points", "enterprise_reports", "leads", "saas_contracts",
)

LIKERT_QUESTIONS = ("q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed",
                    "q_platform_usability", "q_platform_features")
RECOMMEND_QUESTIONS = ("q_recommend_partner", "q_recommend_platform")


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    type : text | integer | number | bool | enum | timestamp | date | likert | recommend
    required : the header must have it and every row must fill it (SPEC §3 bold)
    default : stored when the cell is empty or the column is absent
    allowed : the accepted values of an enum (text) or of a small integer code
    labels : other spellings of enum values, e.g. Russian ``{"инцидент": "incident"}``
    minimum : smallest accepted number
    aliases : other header names (Russian), compared after `normalize_header`
    """

    name: str
    type: str = "text"
    required: bool = False
    default: object = None
    allowed: tuple = ()
    labels: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """`column` must name an existing `target_kind` row (by `target_column`); empty cells are not checked."""

    column: str
    target_kind: str
    target_column: str
    reason: str  # with {value}, e.g. "survey for unknown project {value}"


@dataclass(frozen=True)
class RowRule:
    """A cross-column check: `bad(frame)` is a vectorized mask over parsed rows; reported on `column`."""

    column: str
    reason: str
    bad: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class KindSchema:
    kind: str
    columns: tuple[Column, ...]
    file_names: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    rules: tuple[RowRule, ...] = ()
    zone_via: str | None = None  # client | ticket | partner | project: whose zone a naive timestamp is in
    sum_duplicates: tuple[str, ...] = ()  # columns summed over rows repeating a key (worklog hours)

    @property
    def key(self) -> tuple[str, ...]:
        return KIND_TABLES[self.kind][1]

    @property
    def table(self):
        return KIND_TABLES[self.kind][0].__table__

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def max_length(self, name: str) -> int | None:
        sql_type = self.table.c[name].type
        return sql_type.length if isinstance(sql_type, String) else None

    def header_map(self) -> dict[str, str]:
        """Normalized header spelling -> column name (names and aliases)."""
        out: dict[str, str] = {}
        for column in self.columns:
            for spelling in (column.name, *column.aliases):
                out[normalize_header(spelling)] = column.name
        return out


def normalize_header(name: object) -> str:
    """Case-insensitive, ё = е, `-`/space/punctuation = `_`: «ИД  партнера» -> 'ид_партнера'."""
    text = str(name).replace("\ufeff", "").strip().lower().replace("ё", "е").replace("№", "номер ")
    return re.sub(r"[^0-9a-zа-я]+", "_", text).strip("_")


# ---------------------------------------------------------------- shared column declarations
def _text(name: str, *aliases: str, required: bool = False, default: object = None) -> Column:
    return Column(name, "text", required=required, default=default, aliases=aliases)


def _ts(name: str, *aliases: str, required: bool = False) -> Column:
    return Column(name, "timestamp", required=required, aliases=aliases)


PARTNER_ID = _text("partner_id", "ид партнера", "id партнера", "код партнера", "партнер", "partner")
CLIENT_ID = _text("client_id", "ид клиента", "id клиента", "код клиента", "клиент", "client")
PROJECT_ID = _text("project_id", "ид проекта", "id проекта", "код проекта", "проект", "project")
TICKET_ID = _text("ticket_id", "ид обращения", "id обращения", "номер обращения", "обращение", "номер заявки",
                  "заявка", "ticket")
CITY = _text("city", "город")
REGION = _text("region", "регион", "область")
LEVEL_3 = (1, 2, 3)


def _required(column: Column) -> Column:
    return Column(column.name, column.type, True, column.default, column.allowed, column.labels,
                  column.minimum, column.aliases)


def _before(later: str, earlier: str) -> Callable[[pd.DataFrame], pd.Series]:
    """Rows where `later` is set and earlier than `earlier` (a clock running backwards)."""
    return lambda frame: frame[later].notna() & frame[earlier].notna() & (frame[later] < frame[earlier])


SCHEMAS: dict[str, KindSchema] = {s.kind: s for s in (
    KindSchema("partners", (
        _text("partner_id", "ид партнера", "id партнера", "код партнера", "partner", required=True),
        _text("name", "название", "наименование", "партнер", "название партнера", required=True),
        _required(CITY), REGION,
        Column("country", "text", default="RU", aliases=("страна",)),
        Column("network_competence_center", "bool", default=False,
               aliases=("сетевой центр компетенции", "центр компетенции", "цк")),
        Column("kkv_level", "enum", default="none", allowed=("none", "basic", "extended"),
               labels={"нет": "none", "базовый": "basic", "расширенный": "extended"},
               aliases=("уровень ккв", "ккв")),
        Column("kkv_valid_until", "date", aliases=("ккв действует до", "срок ккв")),
    ), file_names=("partners", "partner", "партнеры", "партнер")),

    KindSchema("clients", (
        _required(CLIENT_ID),
        _text("name", "название", "наименование", "клиент название", required=True),
        PARTNER_ID, CITY,
        Column("users", "integer", minimum=0, aliases=("пользователи", "пользователей", "число пользователей")),
        _text("service_manager", "сервис менеджер", "сервисный менеджер", "менеджер"),
        _text("calendar", "календарь"),
        _text("sla_policy", "политика sla", "sla"),
    ), file_names=("clients", "client", "клиенты", "клиент"),
        references=(Reference("partner_id", "partners", "partner_id", "client of unknown partner {value}"),)),

    KindSchema("projects", (
        _required(PROJECT_ID), _required(PARTNER_ID),
        _ts("submitted_at", "дата сдачи", "сдан", "дата подачи", required=True),
        Column("version", "integer", default=1, minimum=1, aliases=("версия",)),
        CLIENT_ID,
        _text("site_url", "сайт", "адрес сайта", "url"),
        Column("category", "enum", allowed=("eshop", "corporate", "intranet", "crm", "other"),
               labels={"интернет-магазин": "eshop", "интернет магазин": "eshop", "e-shop": "eshop",
                       "корпоративный сайт": "corporate", "корпоративный": "corporate", "интранет": "intranet",
                       "корпоративный портал": "intranet", "срм": "crm", "другое": "other"},
               aliases=("категория",)),
        _text("industry", "отрасль"),
        _text("license_key", "лицензионный ключ", "ключ"),
        _text("transferred_from", "передан от", "предыдущий партнер"),
        _text("contact_name", "контактное лицо", "контакт"),
        _text("contact_phone", "телефон", "контактный телефон"),
    ), file_names=("projects", "project", "проекты", "проект"), zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "project of unknown partner {value}"),)),

    KindSchema("monitor_tests", (
        _required(PROJECT_ID),
        Column("version", "integer", required=True, minimum=1, aliases=("версия",)),
        _text("test", "тест", "проверка", required=True),
        Column("result", "enum", required=True, allowed=("passed", "failed", "manual"),
               labels={"пройден": "passed", "успешно": "passed", "не пройден": "failed", "ошибка": "failed",
                       "вручную": "manual", "ручная проверка": "manual"},
               aliases=("результат",)),
        _text("comment", "комментарий"),
    ), file_names=("monitor_tests", "monitor", "tests", "тесты", "монитор", "тесты монитора"),
        references=(Reference("project_id", "projects", "project_id", "monitor test of unknown project {value}"),),
        rules=(RowRule("comment", "manual monitor test needs a comment",  # seed 000: manual check needs a comment
                       lambda f: (f["result"] == "manual") & f["comment"].isna()),)),

    KindSchema("license_keys", (
        _text("key", "ключ", "лицензионный ключ", "license_key", required=True),
        _required(PARTNER_ID),
        _ts("purchased_at", "дата покупки", "куплен", required=True),
        _ts("activated_at", "дата активации", "активирован"),
        PROJECT_ID,
    ), file_names=("license_keys", "licenses", "keys", "лицензии", "ключи", "лицензионные ключи"),
        zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "license key of unknown partner {value}"),),
        rules=(RowRule("activated_at", "activated_at is earlier than purchased_at",
                       _before("activated_at", "purchased_at")),)),

    KindSchema("surveys", (
        _text("survey_id", "ид опроса", "id опроса", "номер анкеты", "анкета", required=True),
        _required(PROJECT_ID),
        _ts("surveyed_at", "дата опроса", "дата", required=True),
        Column("version", "integer", minimum=1, aliases=("версия",)),
        *(Column(q, "likert") for q in LIKERT_QUESTIONS),
        *(Column(q, "recommend") for q in RECOMMEND_QUESTIONS),
        _text("comment", "комментарий"),
    ), file_names=("surveys", "survey", "опросы", "опрос", "анкеты"), zone_via="project",
        references=(Reference("project_id", "projects", "project_id", "survey for unknown project {value}"),)),

    KindSchema("tickets", (
        _required(TICKET_ID), _required(CLIENT_ID),
        _ts("created_at", "дата создания", "создано", "создан", required=True),
        PARTNER_ID,
        Column("service", "enum", allowed=("psm", "classic"),
               labels={"выделенная": "psm", "выделенная поддержка": "psm", "классическая": "classic"},
               aliases=("сервис", "услуга")),
        Column("channel", "enum", allowed=("onebox", "cabinet", "email", "phone"),
               labels={"e-mail": "email", "почта": "email", "телефон": "phone", "кабинет": "cabinet",
                       "личный кабинет": "cabinet"}, aliases=("канал",)),
        Column("kind", "enum", allowed=("incident", "enhancement", "consultation"),
               labels={"инцидент": "incident", "доработка": "enhancement", "консультация": "consultation"},
               aliases=("вид", "вид обращения")),
        Column("type", "enum", allowed=("simple", "complex", "bug", "rework"),
               labels={"простая": "simple", "сложная": "complex", "ошибка": "bug", "переделка": "rework"},
               aliases=("тип", "тип задачи")),
        Column("priority", "integer", allowed=LEVEL_3, aliases=("приоритет",)),
        Column("line", "integer", allowed=LEVEL_3, aliases=("линия", "линия поддержки")),
        _text("assignee", "исполнитель", "ответственный"),
        Column("subtasks", "integer", minimum=0, aliases=("подзадачи", "подзадач")),
        Column("estimate_hours", "number", minimum=0, aliases=("оценка часов", "оценка")),
        _ts("accepted_at", "дата принятия", "принято"),
        _ts("due_at", "срок", "крайний срок"),
        _ts("resolved_at", "дата решения", "решено"),
        _ts("closed_at", "дата закрытия", "закрыто"),
        _ts("requirements_at", "требования собраны"),
        _ts("spec_at", "тз готово", "тз"),
        _ts("implemented_at", "реализовано"),
        _ts("deployed_at", "выложено", "внедрено"),
    ), file_names=("tickets", "ticket", "обращения", "заявки", "тикеты", "обращение"), zone_via="client",
        references=(Reference("client_id", "clients", "client_id", "ticket of unknown client {value}"),),
        rules=(RowRule("accepted_at", "accepted_at is earlier than created_at", _before("accepted_at", "created_at")),
               RowRule("resolved_at", "resolved_at is earlier than created_at", _before("resolved_at", "created_at")),
               RowRule("closed_at", "closed_at is earlier than created_at", _before("closed_at", "created_at")))),

    KindSchema("ticket_pauses", (
        _required(TICKET_ID),
        _ts("paused_at", "начало паузы", "пауза с", required=True),
        _ts("resumed_at", "конец паузы", "пауза по", "возобновлено"),
        Column("reason", "enum", allowed=("waiting_production", "waiting_client", "other"),
               labels={"бп": "waiting_production", "ожидание production": "waiting_production",
                       "ожидание клиента": "waiting_client", "другое": "other"},
               aliases=("причина",)),
    ), file_names=("ticket_pauses", "pauses", "паузы", "паузы обращений"), zone_via="ticket",
        references=(Reference("ticket_id", "tickets", "ticket_id", "pause of unknown ticket {value}"),),
        rules=(RowRule("resumed_at", "resumed_at is earlier than paused_at", _before("resumed_at", "paused_at")),)),

    KindSchema("worklog", (
        _required(TICKET_ID),
        _text("staff", "сотрудник", "исполнитель", required=True),
        Column("hours", "number", required=True, minimum=0, aliases=("часы", "часов", "трудозатраты")),
        Column("work_date", "date", required=True, aliases=("дата работы", "дата")),
        Column("work_type", "enum", default="support", allowed=("support", "development"),
               labels={"поддержка": "support", "сопровождение": "support", "разработка": "development"},
               aliases=("вид работ", "тип работ")),
    ), file_names=("worklog", "worklogs", "трудозатраты", "списание времени", "журнал работ"),
        references=(Reference("ticket_id", "tickets", "ticket_id", "work on unknown ticket {value}"),
                    Reference("staff", "staff", "staff", "work by unknown staff member {value}")),
        sum_duplicates=("hours",)),

    KindSchema("staff", (
        _text("staff", "сотрудник", "логин", required=True),
        Column("line", "integer", required=True, allowed=LEVEL_3, aliases=("линия", "линия поддержки")),
        _text("name", "имя", "фио"),
    ), file_names=("staff", "сотрудники", "персонал")),

    KindSchema("deposits", (
        _required(PARTNER_ID),
        _ts("paid_at", "дата оплаты", "оплачено", required=True),
        Column("amount", "number", required=True, minimum=0, aliases=("сумма",)),
        Column("currency", "text", default="UAH", aliases=("валюта",)),
    ), file_names=("deposits", "deposit", "депозиты", "депозит", "платежи"), zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "deposit of unknown partner {value}"),)),

    KindSchema("kkv_points", (
        _required(PARTNER_ID),
        _ts("earned_at", "дата начисления", "начислено", required=True),
        Column("source", "enum", required=True, allowed=("sales", "projects", "marketing"),
               labels={"продажи": "sales", "проекты": "projects", "маркетинг": "marketing"},
               aliases=("источник",)),
        Column("points", "number", required=True, aliases=("баллы", "баллов")),
    ), file_names=("kkv_points", "points", "баллы ккв", "баллы"), zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "points of unknown partner {value}"),)),

    KindSchema("enterprise_reports", (
        _required(PROJECT_ID),
        _ts("reported_at", "дата отчета", required=True),
        _text("stage", "этап"),
        _text("comment", "комментарий"),
    ), file_names=("enterprise_reports", "reports", "отчеты ккв", "отчеты"), zone_via="project",
        references=(Reference("project_id", "projects", "project_id", "report on unknown project {value}"),)),

    KindSchema("saas_contracts", (
        _text("contract_id", "ид договора", "номер договора", "договор", required=True),
        _required(PARTNER_ID),
        _ts("started_at", "дата начала", "начало", required=True),
        CLIENT_ID,
        _text("its_level", "уровень итс", "итс"),
        Column("promo", "enum", default="none", allowed=("none", "prof_promo", "other_promo"),
               labels={"нет": "none"}, aliases=("акция", "промо")),
        _text("lead_id", "ид лида", "лид"),
        _ts("ended_at", "дата окончания", "окончание"),
        _text("churn_reason", "причина отказа", "причина ухода"),
    ), file_names=("saas_contracts", "contracts", "договоры", "контракты", "договоры 1cfresh"), zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "contract of unknown partner {value}"),),
        rules=(RowRule("ended_at", "ended_at is earlier than started_at", _before("ended_at", "started_at")),)),

    KindSchema("leads", (
        _text("lead_id", "ид лида", "лид", required=True),
        _ts("registered_at", "дата регистрации", "зарегистрирован", required=True),
        PARTNER_ID,
        _ts("welcome_call_at", "приветственный звонок"),
        _ts("first_reply_at", "первый ответ"),
        _ts("converted_at", "дата оплаты", "конверсия"),
        Column("complaint", "bool", default=False, aliases=("жалоба",)),
    ), file_names=("leads", "lead", "лиды"), zone_via="partner",
        references=(Reference("partner_id", "partners", "partner_id", "lead for unknown partner {value}"),)),
)}

assert tuple(sorted(SCHEMAS)) == tuple(sorted(LOAD_ORDER)) == tuple(sorted(KIND_TABLES))


def _file_name_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for schema in SCHEMAS.values():
        for name in (schema.kind, *schema.file_names):
            table[normalize_header(name)] = schema.kind
    return table


FILE_NAMES = _file_name_table()


def kind_from_file_name(file_name: str) -> str | None:
    """The kind named by the file: `tickets.csv`, `tickets_2024-05.xlsx`, «обращения май.csv»; None if none.

    The longest run of leading words of the name that spells a kind (or its Russian name) wins.
    """
    stem = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    words = normalize_header(stem).split("_")
    for end in range(len(words), 0, -1):
        kind = FILE_NAMES.get("_".join(words[:end]))
        if kind:
            return kind
    return None


def match_header(schema: KindSchema, header: list[str]) -> dict[str, str]:
    """File header -> column name, for the headers this kind knows (others are ignored)."""
    known = schema.header_map()
    return {h: known[normalize_header(h)] for h in header if normalize_header(h) in known}


def kind_from_header(header: list[str]) -> list[str]:
    """Kinds whose required columns are all in `header`, best first (most columns matched)."""
    scored = []
    for schema in SCHEMAS.values():
        matched = set(match_header(schema, header).values())
        if set(schema.required) <= matched:
            scored.append((len(matched), -LOAD_ORDER.index(schema.kind), schema.kind))
    return [kind for *_, kind in sorted(scored, reverse=True)]
