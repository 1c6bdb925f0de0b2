"""Email Management (13.9): every kind of email Cubby sends, its switch, and staff's own text with a preview."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..emails.catalogue import ACCOUNT, BILLING, CLASSES, KINDS, REMINDERS, stored_text, switch_row
from ..extensions import htmx
from ..models import ReminderSetting, User
from ..reminders import settings
from ..templating import render
from ..audit import changes_to
from .email_texts import overview, preview, reset_text, save_text, switch, text_form
from .forms import ReminderSwitchForm

bp = Blueprint("staff_emails", __name__, url_prefix="/staff/emails")
GROUPS = (BILLING, ACCOUNT, CLASSES, REMINDERS)


def _kind_or_404(key):
    return KINDS.get(key) or abort(404)


def _has_days(kind):
    return ReminderSetting.DEFAULTS.get(kind.key, (True, None))[1] is not None


def _list(status=200, posted=None):
    rows, days = overview(), {key: d for key, (_, d) in settings().items()}
    forms = {}
    for kind, on, _ in rows:
        if kind.always_on:
            continue
        forms[kind.key] = ReminderSwitchForm(formdata=None, prefix=kind.key, enabled=on, days_before=days.get(kind.key))
        forms[kind.key].enabled.label.text = f"Send “{kind.label}”"
    if posted:
        forms.update(posted)
    return render("staff/emails.html", "content", status=status, groups=GROUPS, rows=rows, forms=forms,
                  has_days=_has_days)


@bp.route("")
@role_required(User.STAFF)
def index():
    """Each kind of email Cubby sends: on or off, Cubby's text or the school's own, and a link to edit it."""
    return _list()


@bp.route("/<key>", methods=["POST"])
@role_required(User.STAFF)
def save_switch(key):
    """Turn one kind on or off (the balance-due reminder: and how many days ahead); security mail has no switch."""
    kind = _kind_or_404(key)
    if kind.always_on:
        abort(409)
    form = ReminderSwitchForm(prefix=kind.key)
    valid = form.validate_on_submit()
    if valid and _has_days(kind) and form.days_before.data is None:
        form.days_before.errors.append("Enter how many days before the first class.")
        valid = False
    if not valid:
        form.enabled.label.text = f"Send “{kind.label}”"
        return _list(422, {kind.key: form})
    switch(kind, form.enabled.data, form.days_before.data)
    flash(f"“{kind.label}” is {'on' if form.enabled.data else 'off'}.", "success")
    return redirect(url_for(".index", _anchor=f"email-{kind.key}"), 303)


def _editor(kind, form, status=200):
    """The edit page, or for htmx only its editor (form and preview)."""
    return render("staff/email.html", "editor", status=status, kind=kind, form=form, preview=preview(form),
                  stored=stored_text(kind), changes=changes_to(kind.key, "email"))


@bp.route("/<key>/edit")
@role_required(User.STAFF)
def edit(key):
    """The kind's subject and body (the school's, else Cubby's), its placeholders, recipients and a preview."""
    kind = _kind_or_404(key)
    form = text_form(kind, stored_text(kind), switch_row(kind))
    form.fill_in()
    return _editor(kind, form)


@bp.route("/<key>/edit", methods=["POST"])
@role_required(User.STAFF)
def save(key):
    """Store the school's own text for the kind, checked against the demo values first; htmx gets the editor."""
    kind = _kind_or_404(key)
    form = text_form(kind, None, None, formdata=request.form)
    if not form.validate_on_submit():
        return _editor(kind, form, 422)
    save_text(current_user, kind, form)
    flash(f"Saved. The next “{kind.label}” email is sent with this text.", "success")
    if htmx:
        return _editor(kind, form)
    return redirect(url_for(".edit", key=kind.key), 303)


@bp.route("/<key>/preview", methods=["POST"])
@role_required(User.STAFF)
def preview_text(key):
    """Fill in what is typed with the demo values, storing nothing."""
    kind = _kind_or_404(key)
    form = text_form(kind, None, None, formdata=request.form)
    return _editor(kind, form, 200 if form.validate_on_submit() else 422)


@bp.route("/<key>/reset", methods=["POST"])
@role_required(User.STAFF)
def reset(key):
    """Reset to Cubby's text: the school's own text for the kind is deleted."""
    kind = _kind_or_404(key)
    reset_text(kind)
    flash(f"“{kind.label}” is sent with Cubby's text again.", "success")
    return redirect(url_for(".edit", key=kind.key), 303)
