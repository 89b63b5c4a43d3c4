"""Console forms: they parse input only; services write. ``run_service`` runs a service for a
valid form and puts the ``DomainError`` it raises beside the matching fields.

    form = StoreForm(request.POST, user=request.user)
    ok, store = run_service(form, lambda data: services.store_create(acting_user=user, **data))
    if ok:
        return redirect_after_save(request, reverse("store_list"))

``PermissionDenied``, ``NotFound`` and ``NotAuthenticated`` are not form errors: they propagate
to the 403/404 pages (``huike.core.middleware.DomainErrorPageMiddleware``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from . import errors
from .models import AuditEntry
from .timeutils import DEFAULT_TIME_ZONE, day_bounds

# Raised past the form: the page as a whole is refused or missing.
PAGE_ERRORS = (errors.PermissionDenied, errors.NotFound, errors.NotAuthenticated)

_CHECK_WIDGETS = (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)
_SELECT_WIDGETS = (forms.Select, forms.SelectMultiple)


class ConsoleForm(forms.Form):
    """Base of every console form: Tabler classes, a ``data-testid`` per input
    (``input-<name>``) and ``is-invalid`` on the inputs that have errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            style_widget(field.widget, name)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


def style_widget(widget: forms.Widget, name: str) -> None:
    if isinstance(widget, forms.HiddenInput):
        return
    if isinstance(widget, _CHECK_WIDGETS):
        css = "form-check-input"
    elif isinstance(widget, _SELECT_WIDGETS):
        css = "form-select"
    else:
        css = "form-control"
    widget.attrs.setdefault("class", css)
    widget.attrs.setdefault("data-testid", f"input-{name}")
    # The browser's date and time pickers read ISO values only, whatever the page's language.
    if isinstance(widget, forms.DateInput) and widget.input_type == "date":
        widget.format = "%Y-%m-%d"
    elif isinstance(widget, forms.TimeInput) and widget.input_type == "time":
        widget.format = "%H:%M"


def apply_domain_error(
    form: forms.BaseForm, exc: errors.DomainError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Put ``exc.fields`` beside the form's fields (``field_map`` renames a service field to a
    form field); ``__all__``, fields the form does not have, and the message of an error
    without fields become form-level errors."""
    field_map = field_map or {}
    for name, messages in (exc.fields or {}).items():
        messages = [
            str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])
        ]
        target = field_map.get(name, name)
        if target in form.fields:
            form.add_error(target, messages)
        elif target in (NON_FIELD_ERRORS, "__all__", None):
            form.add_error(None, messages)
        else:
            form.add_error(
                None,
                [_("%(field)s: %(message)s") % {"field": name, "message": m} for m in messages],
            )
    if not exc.fields:
        form.add_error(None, str(exc.message))


def run_service(
    form: forms.BaseForm,
    action: Callable[[dict], object],
    *,
    field_map: Mapping[str, str] | None = None,
) -> tuple[bool, object]:
    """Validate ``form`` and, when valid, return ``(True, action(form.cleaned_data))``.

    On invalid input, or a ``DomainError`` from the service, the messages are on the form and
    ``(False, None)`` is returned; page-level errors (permission, not found) propagate."""
    if not form.is_valid():
        return False, None
    try:
        return True, action(form.cleaned_data)
    except PAGE_ERRORS:
        raise
    except errors.DomainError as exc:
        apply_domain_error(form, exc, field_map=field_map)
        return False, None


# --- Audit search ----------------------------------------------------------------------------
def audit_object_types() -> list[tuple[str, str]]:
    """The object types an audit entry can name: every model of our apps, and permissions."""
    types = [("permission", str(_("permission")))]
    for config in apps.get_app_configs():
        if config.name.startswith("huike."):
            types += [
                (f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name))
                for m in config.get_models()
            ]
    return types


class AuditSearchForm(ConsoleForm):
    """Filters of the audit search page; dates are whole days in Asia/Shanghai."""

    actor = forms.CharField(label=_("Who (username)"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.CharField(label=_("Object id or name"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *AuditEntry.Action.choices]
        self.fields["object_type"].choices = [("", _("Any type")), *audit_object_types()]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return data

    def search_filters(self) -> dict:
        """Keyword arguments of ``selectors.audit_search`` (``object`` is applied apart)."""
        data = self.cleaned_data
        return {
            "actor": data.get("actor", "").strip() or None,
            "action": data.get("action") or None,
            "object_type": data.get("object_type") or None,
            "since": day_bounds(data["since"], DEFAULT_TIME_ZONE)[0] if data.get("since") else None,
            "until": day_bounds(data["until"], DEFAULT_TIME_ZONE)[1] if data.get("until") else None,
        }
