"""The parts of a guest managed inline on the guest page (HTMX): further phones, important
dates, contacts and tags. Each add/remove answers with its section re-rendered (with the
form's errors beside the fields when the service refused it); without HTMX, with the page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huike.core.forms import run_service
from huike.core.htmx import is_htmx_partial
from huike.core.permissions import check_perm, get_for_user

from .. import permissions as perms
from .. import selectors, services
from ..forms import ContactForm, ImportantDateForm, PhoneForm, TaggingForm
from ..models import GuestContact, GuestPhone, GuestTag, ImportantDate
from .guests import detail_context


def _guest(request, pk: int):
    check_perm(request.user, perms.EDIT_GUESTS)
    return selectors.guest_get_for_user(user=request.user, guest_id=pk)


def _answer(request, pk: int, section: str, *, ok: bool, **forms):
    """The section again (HTMX) or the guest page; the guest is read afresh after a change."""
    if ok and not is_htmx_partial(request):
        return HttpResponseRedirect(reverse("guest_detail", args=[pk]))
    guest = selectors.guest_get_for_user(user=request.user, guest_id=pk)
    context = detail_context(request, guest, **({} if ok else forms))
    template = (
        f"guests/partials/section_{section}.html"
        if is_htmx_partial(request)
        else "guests/guest_detail.html"
    )
    return render(request, template, context, status=200 if ok or is_htmx_partial(request) else 400)


@login_required
@require_POST
def guest_phone_add(request, pk: int):
    guest = _guest(request, pk)
    form = PhoneForm(request.POST, prefix="phone")
    ok, _phone = run_service(
        form, lambda data: services.guest_phone_add(acting_user=request.user, guest=guest, **data)
    )
    return _answer(request, pk, "phones", ok=ok, phone_form=form)


@login_required
@require_POST
def guest_phone_remove(request, pk: int, phone_id: int):
    guest = _guest(request, pk)
    phone = get_for_user(GuestPhone.objects.filter(guest=guest), request.user, pk=phone_id)
    services.guest_phone_remove(acting_user=request.user, phone=phone)
    return _answer(request, pk, "phones", ok=True)


@login_required
@require_POST
def guest_date_add(request, pk: int):
    guest = _guest(request, pk)
    form = ImportantDateForm(request.POST, prefix="date")
    ok, _date = run_service(
        form,
        lambda data: services.important_date_add(acting_user=request.user, guest=guest, **data),
    )
    return _answer(request, pk, "dates", ok=ok, date_form=form)


@login_required
@require_POST
def guest_date_remove(request, pk: int, date_id: int):
    guest = _guest(request, pk)
    found = get_for_user(ImportantDate.objects.filter(guest=guest), request.user, pk=date_id)
    services.important_date_remove(acting_user=request.user, important_date=found)
    return _answer(request, pk, "dates", ok=True)


@login_required
@require_POST
def guest_contact_add(request, pk: int):
    guest = _guest(request, pk)
    form = ContactForm(request.POST, prefix="contact")
    ok, _contact = run_service(
        form,
        lambda data: services.guest_contact_add(acting_user=request.user, guest=guest, **data),
    )
    return _answer(request, pk, "contacts", ok=ok, contact_form=form)


@login_required
@require_POST
def guest_contact_remove(request, pk: int, contact_id: int):
    guest = _guest(request, pk)
    contact = get_for_user(GuestContact.objects.filter(guest=guest), request.user, pk=contact_id)
    services.guest_contact_remove(acting_user=request.user, contact=contact)
    return _answer(request, pk, "contacts", ok=True)


@login_required
@require_POST
def guest_tagging_add(request, pk: int):
    guest = _guest(request, pk)
    form = TaggingForm(request.POST, prefix="tagging")
    ok, _tagging = run_service(
        form,
        lambda data: services.tag_add(acting_user=request.user, guest=guest, tag=data["tag"]),
    )
    return _answer(request, pk, "tags", ok=ok, tagging_form=form)


@login_required
@require_POST
def guest_tagging_remove(request, pk: int, tag_id: int):
    guest = _guest(request, pk)
    tag = get_for_user(GuestTag.objects.all(), request.user, pk=tag_id)
    services.tag_remove(acting_user=request.user, guest=guest, tag=tag)
    return _answer(request, pk, "tags", ok=True)
