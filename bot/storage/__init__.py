"""Persistence: sqlmodel tables, the database handle, repositories, the FSM storage."""
