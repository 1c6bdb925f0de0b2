"""The "currently selected Location" at the top of My Account, remembered per user (tokens and statements use it)."""
from flask import redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from ..access import role_required
from ..database import write_transaction
from ..extensions import htmx
from ..models import ChosenLocation, Location, User
from ..templating import render
from .routes import bp


class LocationForm(FlaskForm):
    location = SelectField("Location", coerce=int, validate_choice=True)


def chosen_location(user, locations):
    """The location the user chose, else the first one (by name)."""
    chosen = ChosenLocation.get_or_none(ChosenLocation.user == user.id)
    ids = {location.id for location in locations}
    return chosen.location_id if chosen and chosen.location_id in ids else (locations[0].id if locations else None)


def choose_location(user, location_id):
    """Remember the user's location (the form checked that it exists)."""
    with write_transaction():
        ChosenLocation.insert(user=user.id, location=location_id).on_conflict(
            conflict_target=[ChosenLocation.user], update={ChosenLocation.location: location_id}).execute()


def location_form(user, formdata=None):
    """The selector, with every location and the user's choice."""
    locations = list(Location.select().order_by(Location.name))
    form = LocationForm(formdata=formdata, data={"location": chosen_location(user, locations)})
    form.location.choices = [(location.id, location.name) for location in locations]
    return form


@bp.route("/location", methods=["POST"])
@role_required(User.PATRON)
def choose_location_route():
    """Change the currently selected Location."""
    form = location_form(current_user, request.form)
    if not form.validate_on_submit():
        return render("account/_location.html", "widget", status=422, location_form=form)
    choose_location(current_user, form.location.data)
    if htmx:
        return render("account/_location.html", "widget", location_form=form, saved=True)
    return redirect(url_for("account.index"), 303)
