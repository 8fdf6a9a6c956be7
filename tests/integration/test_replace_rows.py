"""`store.bulk.replace_rows`: a rollup rebuild leaves exactly the new rows, whatever the table held before."""
from __future__ import annotations

from sqlalchemy import Integer, String, func, literal, literal_column, select, union_all

from store.bulk import replace_rows
from store.models import SlaRollup

COLUMNS = ["month", "partner_id", "quarter", "met", "breached"]


def _rows(*values: tuple) -> object:
    selects = [select(literal(m, String).label("month"), literal(p, String).label("partner_id"),
                      literal(q, String).label("quarter"), literal(a, Integer).label("met"),
                      literal(b, Integer).label("breached")) for m, p, q, a, b in values]
    return union_all(*selects) if len(selects) > 1 else selects[0]


def _stored(conn) -> set[tuple]:
    return {tuple(row) for row in conn.execute(select(*[SlaRollup.__table__.c[c] for c in COLUMNS]))}


def test_replace_rows_keeps_new_updates_changed_and_drops_vanished_rows(engine):
    first = {("2024-01", "A", "2024Q1", 5, 1), ("2024-01", "B", "2024Q1", 2, 0), ("2024-02", "A", "2024Q1", 7, 3)}
    second = {("2024-01", "A", "2024Q1", 5, 1),  # unchanged
              ("2024-01", "B", "2024Q1", 4, 2),  # changed
              ("2024-03", "C", "2024Q1", 1, 1)}  # new; ("2024-02", "A") vanished
    with engine.begin() as conn:
        replace_rows(conn, SlaRollup.__table__, COLUMNS, _rows(*sorted(first)))
        assert _stored(conn) == first
        replace_rows(conn, SlaRollup.__table__, COLUMNS, _rows(*sorted(second)))
        assert _stored(conn) == second
        replace_rows(conn, SlaRollup.__table__, COLUMNS, _rows(*sorted(second)))  # an unchanged re-load
        assert _stored(conn) == second
    with engine.connect() as conn:
        assert _stored(conn) == second  # committed


def test_replace_frame_rewrites_only_the_rows_of_its_scope_that_changed(engine):
    """`replace_frame` (a country's comparison rows): inside the scope, new rows are inserted, changed ones
    updated, vanished ones deleted; rows outside it stay, and on PostgreSQL an unchanged row is not rewritten
    (its row version, `xmin`, stays)."""
    import pandas as pd

    from store.bulk import replace_frame

    table = SlaRollup.__table__
    frame = pd.DataFrame(sorted([("2024-01", "A", "2024Q1", 5, 1), ("2024-01", "B", "2024Q1", 2, 0),
                                 ("2024-02", "A", "2024Q1", 7, 3), ("2024-01", "Z", "2024Q1", 9, 9)]), columns=COLUMNS)
    in_scope = table.c.partner_id.in_(["A", "B", "C"])
    with engine.begin() as conn:
        replace_rows(conn, table, COLUMNS, _rows(*frame.itertuples(index=False)))
    with engine.begin() as conn:  # another transaction: a row it rewrites gets a new xmin
        postgres = conn.dialect.name == "postgresql"
        version = (lambda: dict(conn.execute(select(table.c.partner_id + table.c.month, literal_column("xmin::text")))
                                .all())) if postgres else dict
        before = version()
        written = replace_frame(conn, table, pd.DataFrame([("2024-01", "A", "2024Q1", 5, 1),  # unchanged
                                                           ("2024-01", "B", "2024Q1", 4, 2),  # changed
                                                           ("2024-03", "C", "2024Q1", 1, 1)],  # new
                                                          columns=COLUMNS), in_scope)
        assert written == 3
        assert _stored(conn) == {("2024-01", "A", "2024Q1", 5, 1), ("2024-01", "B", "2024Q1", 4, 2),
                                 ("2024-03", "C", "2024Q1", 1, 1),
                                 ("2024-01", "Z", "2024Q1", 9, 9)}  # ("2024-02", "A") vanished, Z out of scope
        if postgres:
            after = version()
            assert after["A2024-01"] == before["A2024-01"] and after["Z2024-01"] == before["Z2024-01"]
            assert after["B2024-01"] != before["B2024-01"]
        replace_frame(conn, table, pd.DataFrame(columns=COLUMNS), in_scope)  # an empty scope keeps only Z
        assert _stored(conn) == {("2024-01", "Z", "2024Q1", 9, 9)}


def test_replace_frame_with_a_digest_writes_only_new_and_changed_rows(engine):
    """With a digest column (`comparison_rollup.row_digest`) only the scope's keys and digests are read back: new
    rows and rows whose digest changed are written, vanished ones deleted, the rest (and rows outside the
    scope) left alone; on PostgreSQL it returns the rows written and an unchanged row keeps its `xmin`."""
    import pandas as pd

    from store.bulk import replace_frame, row_digest
    from store.models import ComparisonRollup

    table = ComparisonRollup.__table__

    def frame(*rows: tuple) -> pd.DataFrame:
        out = pd.DataFrame([{"window_id": "2026Q3", "scheme": "top1", "partner_id": p, "metric": "csat:q_design",
                             "withheld": value is None, "level": None if value is None else "region",
                             "group_name": None if value is None else "Сибирь", "group_name_en": None,
                             "value": value, "n_partners": 0 if value is None else 6,
                             "answers_from": 0 if value is None else 30, "reason_ru": reason, "reason_en": None}
                            for p, value, reason in rows])
        return out.assign(row_digest=row_digest(out.drop(columns=["window_id", "scheme", "partner_id", "metric"])))

    def stored(conn) -> dict:
        return dict(conn.execute(select(table.c.partner_id, table.c.value)).all())

    in_scope = table.c.partner_id.in_(["A", "B", "C", "D"])
    with engine.begin() as conn:
        replace_frame(conn, table, frame(("A", 70.0, None), ("B", 60.0, None), ("C", None, "мало ответов"),
                                         ("Z", 10.0, None)), table.c.partner_id.in_(["A", "B", "C", "Z"]),
                      digest="row_digest")
        assert stored(conn) == {"A": 70.0, "B": 60.0, "C": None, "Z": 10.0}
    with engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        def version() -> dict | None:
            return dict(conn.execute(select(table.c.partner_id, literal_column("xmin::text"))).all()) if postgres \
                else None

        before = version()
        written = replace_frame(conn, table, frame(("A", 70.0, None), ("B", 61.0, None), ("D", 50.0, None)),
                                in_scope, digest="row_digest")
        assert stored(conn) == {"A": 70.0, "B": 61.0, "D": 50.0, "Z": 10.0}  # C vanished, Z outside the scope
        if postgres:
            after = version()
            assert written == 2 and after["A"] == before["A"] and after["Z"] == before["Z"]
            assert after["B"] != before["B"]
        # the same frame again writes nothing
        assert replace_frame(conn, table, frame(("A", 70.0, None), ("B", 61.0, None), ("D", 50.0, None)),
                             in_scope, digest="row_digest") == (0 if postgres else 3)
        assert stored(conn) == {"A": 70.0, "B": 61.0, "D": 50.0, "Z": 10.0}


def test_replace_frame_with_a_digest_deletes_more_vanished_rows_than_a_statement_may_bind(engine):
    """A new quarter's windows leave a country's old rows behind (~75 k at `large`): their four-column keys are
    more than the 65,535 parameters of one statement, so they are deleted through staged keys."""
    import pandas as pd

    from store.bulk import replace_frame, row_digest
    from store.models import ComparisonRollup

    table = ComparisonRollup.__table__
    partners = [f"P{i:05d}" for i in range(17_000)]  # 17 000 × 4 key values > 65 535
    rows = pd.DataFrame({"window_id": "2026Q3", "scheme": "top1", "partner_id": partners, "metric": "csat:q_design",
                         "withheld": True, "level": None, "group_name": None, "group_name_en": None, "value": None,
                         "n_partners": 0, "answers_from": 0, "reason_ru": "мало ответов", "reason_en": None})
    rows["row_digest"] = row_digest(rows.drop(columns=["window_id", "scheme", "partner_id", "metric"]))
    scope = table.c.window_id.in_(["2026Q3", "2026Q4"])
    with engine.begin() as conn:
        replace_frame(conn, table, rows, scope, digest="row_digest")
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == len(partners)
        kept = rows.head(1).assign(window_id="2026Q4")  # the next quarter's window: every 2026Q3 row vanishes
        replace_frame(conn, table, kept, scope, digest="row_digest")
        assert conn.execute(select(table.c.window_id, func.count()).group_by(table.c.window_id)).all() == [("2026Q4", 1)]
