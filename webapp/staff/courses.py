"""Staff set a course up: its form, and the service that saves it whole or not at all."""
from flask_wtf import FlaskForm
from peewee import fn
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, TextAreaField, TimeField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..database import write_transaction
from ..models import Course, Division, Enrollment, Location, User
from ..packages.forms import count_field, money_field, text_field
from ..audit import audit, before_change

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]
FIELDS = ("name", "division", "location", "instructor", "level", "capacity", "price_cents", "first_day", "last_day",
          "weekdays", "start_time", "duration_minutes", "open_for_registration", "payable_online", "description")


class CourseRefused(Exception):
    """The course cannot be saved as asked; the message says why and the field it belongs to."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def division_choices():
    """A division select's options by name, after "No division" (0)."""
    return [(0, "No division")] + [
        (d.id, d.name) for d in Division.select(Division.id, Division.name).order_by(Division.name)]


class CourseForm(FlaskForm):
    """A course: what, where, who teaches it, how many, how much, and when it meets each week."""

    name = text_field("Name", 120, required="Enter the course's name.")
    division = SelectField("Division", coerce=int, default=0)
    location = SelectField("Location", coerce=int, validators=[DataRequired("Pick a location.")])
    instructor = SelectField("Instructor", coerce=int, default=0)
    level = text_field("Level", 40)
    capacity = count_field("Capacity (seats)", 999)
    price_cents = money_field("Price", minimum=0)
    first_day = DateField("First day", validators=[InputRequired("Pick the first day.")])
    last_day = DateField("Last day", validators=[InputRequired("Pick the last day.")])
    weekdays = _Checkboxes("Meets on", coerce=int, choices=WEEKDAYS,
                           validators=[DataRequired("Tick at least one day of the week.")])
    start_time = TimeField("Starts at", validators=[InputRequired("Pick the start time.")])
    duration_minutes = count_field("Length (minutes)", 600)
    open_for_registration = BooleanField("Open for registration (families may register online)", default=True)
    payable_online = BooleanField("Balance may be paid online (orders put on account for it)")
    description = TextAreaField("Description families see", filters=[lambda v: v.strip() if v else ""],
                                validators=[Optional(), Length(max=2000, message="Use at most 2000 characters.")])

    def __init__(self, course=None, **kwargs):
        if course is not None and "obj" not in kwargs:
            kwargs["data"] = {name: getattr(course, name) for name in FIELDS if name not in {
                "division", "location", "instructor", "weekdays"}}
            kwargs["data"].update(division=course.division_id or 0, location=course.location_id,
                                  instructor=course.instructor_id or 0, weekdays=course.weekday_numbers)
        super().__init__(**kwargs)
        self.course = course
        self.division.choices = division_choices()
        self.location.choices = [(0, "Pick a location")] + [
            (p.id, p.name) for p in Location.select(Location.id, Location.name).order_by(Location.name)]
        self.instructor.choices = [(0, "Not set")] + [
            (u.id, u.name) for u in User.select(User.id, User.name).where(User.role == User.INSTRUCTOR)
            .order_by(User.name)]

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError("The last day must not be before the first day.")

    def values(self):
        """The fields as save_course takes them."""
        values = {name: getattr(self, name).data for name in FIELDS}
        values.update(division=values["division"] or None, instructor=values["instructor"] or None,
                      weekdays=",".join(str(d) for d in sorted(set(values["weekdays"]))))
        return values


def _name_clash(name, first_day, last_day, except_id):
    """Another course of this name whose dates overlap these (one term)."""
    query = Course.select(Course.id).where((fn.LOWER(Course.name) == name.lower())
                                           & (Course.first_day.is_null() | (Course.first_day <= last_day))
                                           & (Course.last_day.is_null() | (Course.last_day >= first_day)))
    if except_id is not None:
        query = query.where(Course.id != except_id)
    return query.exists()


def save_course(course_id, **values):
    """Add (course_id None) or change a course, checked under one write transaction: no other course of the same
    name in the same dates, and no fewer seats than students already hold."""
    with write_transaction():
        if _name_clash(values["name"], values["first_day"], values["last_day"], course_id):
            raise CourseRefused("name", f"There is already a course called “{values['name']}” in these dates.")
        if course_id is not None:
            taken = (Enrollment.select().where((Enrollment.course == course_id)
                                               & Enrollment.status.in_(Enrollment.ACTIVE)).count())
            if values["capacity"] < taken:
                raise CourseRefused("capacity", f"{taken} students already hold a seat: the capacity cannot be lower.")
            before = before_change(Course.get_by_id(course_id), values)
            Course.update(**values).where(Course.id == course_id).execute()
            course = Course.get_by_id(course_id)
        else:
            before, course = {}, Course.create(**values)
        audit(course, before, values)
        return course
