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
