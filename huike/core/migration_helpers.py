"""Helpers for data migrations."""


def grant_to_built_in_roles(grants: dict[str, list[str]]):
    """A RunPython function adding ``grants`` (role code → permission codes) to the built-in
    roles of every existing brand group. Pass a frozen copy of the app's grants."""

    def forwards(apps, schema_editor):
        Role = apps.get_model("org", "Role")
        for role in Role._base_manager.filter(is_system=True, code__in=list(grants)):
            merged = sorted(set(role.permissions or []) | set(grants[role.code]))
            if merged != role.permissions:
                role.permissions = merged
                role.save(update_fields=["permissions"])

    return forwards


def append_only_on_postgresql(table: str, function: str, message: str):
    """A RunPython operation making PostgreSQL itself refuse UPDATE and DELETE of ``table``'s
    rows (a trigger calling ``function``, which raises ``message``). TRUNCATE, used by restore
    and test teardown, is not a row operation and stays possible for the owner. On SQLite it
    does nothing: the model refuses changes there."""
    from django.db import migrations

    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {function}();
"""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop)

    return migrations.RunPython(forwards, backwards)
