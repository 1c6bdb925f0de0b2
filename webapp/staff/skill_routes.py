"""Staff routes for the evaluated-skills code table: the skills of each course level, an add form, an edit page."""
from flask import Blueprint, abort, flash, redirect, url_for

from ..access import role_required
from ..extensions import htmx
from ..models import Skill, User
from ..templating import render
from ..audit import changes_to
from .skills import SkillForm, SkillNameTaken, course_levels, save_skill, skills_by_level

bp = Blueprint("staff_skills", __name__, url_prefix="/staff/skills")


def _save(form, skill_id=None):
    """Save a valid form; a name taken meanwhile becomes an error next to the field. Returns the skill or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save_skill(skill_id, **form.values())
    except SkillNameTaken:
        form.name.errors.append(f"{form.level.data} already has a skill called “{form.name.data}”.")
        return None


def _list(form, block="content", status=200):
    return render("staff/skills.html", block, status=status, table=skills_by_level(), form=form,
                  levels=form.level.choices[1:])


@bp.route("")
@role_required(User.STAFF)
def skills():
    """The skills of every course level, with a form to add one."""
    return _list(SkillForm(course_levels(), formdata=None))


@bp.route("", methods=["POST"])
@role_required(User.STAFF)
def add_skill():
    """Add a skill to a level; htmx gets back the table and a fresh form for the same level."""
    levels = course_levels()
    form = SkillForm(levels)
    skill = _save(form)
    if skill is None:
        return _list(form, block="skills", status=422)
    flash(f"Added “{skill.name}” to {skill.level}.", "success")
    if htmx:
        return _list(SkillForm(levels, formdata=None, level=skill.level), block="skills")
    return redirect(url_for(".skills", _anchor=f"skill-{skill.id}"), 303)


@bp.route("/<int:skill_id>", methods=["GET", "POST"])
@role_required(User.STAFF)
def edit_skill(skill_id):
    """Rename a skill, move it to another level or in the order, or retire it."""
    skill = Skill.get_or_none(Skill.id == skill_id) or abort(404)
    levels = course_levels()
    if skill.level not in levels:  # a course renamed its level: the skill can still be edited or moved
        levels.append(skill.level)
    form = SkillForm(levels, skill_id=skill.id, obj=skill)
    saved = _save(form, skill.id)
    if saved:
        flash(f"Saved “{saved.name}”.", "success")
        return redirect(url_for(".skills", _anchor=f"skill-{saved.id}"), 303)
    return render("staff/skill.html", "content", status=422 if form.errors else 200, skill=skill, form=form,
                  changes=changes_to(skill))
