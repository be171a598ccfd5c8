"""Every table and column that can hold a person's id or words is in the personal-data registry.

A new table (licences, nudges, FAQ drafts, ...) fails here until it says, in
bot/storage/personal_data.py, what /forget does with it and what /mydata exports.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, String, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from bot.storage import all_models  # noqa: F401
from bot.storage.personal_data import NOT_PERSONAL, REGISTRY, Forget
from bot.storage.personal_data_store import CUSTOM_STEPS

# A bounded string this short is a code, a status or a name of a thing, not a person's words.
SHORT_STRING = 100


def can_hold_a_user_id(column: Column) -> bool:  # type: ignore[type-arg]
    return isinstance(column.type, BigInteger)


def can_hold_free_text(column: Column) -> bool:  # type: ignore[type-arg]
    kind = column.type
    # sqlmodel's AutoString (and our UTCDateTime) wrap the real type.
    inner = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    if isinstance(inner, JSON | Text):
        return True
    if isinstance(inner, String):
        length = getattr(kind, "length", None) or inner.length
        return length is None or length > SHORT_STRING
    return False


def sensitive_columns(table_name: str) -> set[str]:
    table = SQLModel.metadata.tables[table_name]
    return {c.name for c in table.columns if can_hold_a_user_id(c) or can_hold_free_text(c)}


def test_every_table_with_ids_or_free_text_is_declared():
    undeclared = sorted(
        name
        for name in SQLModel.metadata.tables
        if sensitive_columns(name) and name not in REGISTRY and name not in NOT_PERSONAL
    )
    assert not undeclared, (
        f"tables {undeclared} can hold a person's id or words: declare them in "
        "bot/storage/personal_data.py (what /forget does, what /mydata exports)"
    )


def test_every_id_or_free_text_column_of_a_declared_table_is_classified():
    missing: list[str] = []
    for name, entry in REGISTRY.items():
        classified = {
            *entry.owner,
            *entry.actors,
            *entry.text,
            *entry.not_personal,
            *entry.keyed_by,
        }
        for column in sorted(sensitive_columns(name) - classified):
            missing.append(f"{name}.{column}")
    assert not missing, (
        f"columns {missing} can hold a person's id or words but the registry does not say "
        "whether they are the owner, an actor, the owner's words or not personal"
    )


def test_registry_names_only_real_tables_columns_and_steps():
    tables = SQLModel.metadata.tables
    for name, entry in REGISTRY.items():
        assert name in tables, name
        columns = set(tables[name].columns.keys())
        named = {
            *entry.owner,
            *entry.actors,
            *entry.text,
            *entry.not_personal,
            *entry.keyed_by,
            *entry.export,
        }
        assert named <= columns, (name, named - columns)
        assert set(entry.custom) <= set(CUSTOM_STEPS), (name, entry.custom)
    for name in NOT_PERSONAL:
        assert name in tables, name


def test_anonymised_rows_keep_no_raw_id():
    """A NOT NULL owner column cannot be set to NULL: it must get the salted hash."""
    for name, entry in REGISTRY.items():
        if entry.forget is not Forget.ANONYMISE:
            continue
        table = SQLModel.metadata.tables[name]
        for column in entry.owner:
            if not table.c[column].nullable:
                assert column in entry.pseudonymise, f"{name}.{column}"
        for column in entry.actors:
            assert table.c[column].nullable, f"{name}.{column} must be nullable to be cleared"


def test_the_check_would_catch_a_new_table():
    from sqlalchemy import MetaData, Table

    metadata = MetaData()
    table = Table(
        "licences",
        metadata,
        Column("id", BigInteger, primary_key=True),
        Column("note", Text),
        Column("code", String(16)),
    )
    assert {c.name for c in table.columns if can_hold_a_user_id(c) or can_hold_free_text(c)} == {
        "id",
        "note",
    }
    assert "licences" not in REGISTRY
