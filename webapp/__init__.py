"""Cubby: the family self-service portal. create_app builds the Flask application."""
import copy

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, attempts, cli, errors, health, jobs, numbers, security, templating
from .config import ROOT, from_environment, secret_key
from .database import open_database
from .extensions import csrf, db, htmx, login_manager, mail


def create_app(config=None):
    """Build the app: configuration, extensions, blueprints, error handlers."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(from_environment())
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=3600,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.config.update(config or {})
    if app.debug:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    assets.init_app(app)
    if hops := app.config["TRUSTED_PROXIES"]:
        # The client's address, scheme, host and port as the proxies in front saw them; a client's own
        # X-Forwarded-* values sit further left and are ignored. No X-Forwarded-Prefix: Cubby is served at /.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    db.initialize(open_database(app.config["DATABASE_URL"], app.config["DATABASE_POOL_TIMEOUT"],
                                app.config["DATABASE_POOL_SIZE"]))
    app.teardown_request(_close)  # peewee connects on a request's first query; static files need none

    csrf.init_app(app)
    htmx.init_app(app)
    mail.init_app(app)
    attempts.init_app(app)
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    numbers.init_app(app)

    from .account.routes import bp as account_bp
    from .account.guardians import bp as guardians_bp
    from .account.security import bp as security_bp
    from .auth.access_routes import bp as access_bp
    from .attendance.routes import bp as attendance_bp
    from .auth.routes import bp as auth_bp
    from .billing.routes import bp as billing_bp
    from .billing.staff_routes import bp as staff_billing_bp
    from .emails.routes import bp as emails_bp
    from .gateway.sandbox import bp as sandbox_bp
    from .gateway.stripe_routes import bp as stripe_bp
    from .home.routes import bp as home_bp
    from .packages.routes import bp as packages_bp
    from .pending.routes import bp as pending_bp
    from .pwa.routes import bp as pwa_bp
    from .registration.routes import bp as registration_bp
    from .schedule.routes import bp as schedule_bp
    from .staff.routes import bp as staff_bp
    from .staff.place_routes import bp as staff_places_bp
    from .staff.course_routes import bp as staff_courses_bp
    from .staff.check_in_routes import bp as check_in_bp
    from .staff.household_routes import bp as staff_households_bp
    from .staff.skill_routes import bp as staff_skills_bp
    from .staff.makeup_routes import bp as staff_makeups_bp
    from .staff.line_category_routes import bp as staff_line_categories_bp
    from .staff.email_routes import bp as staff_emails_bp
    from .staff.user_routes import bp as staff_users_bp

    for bp in (auth_bp, pwa_bp, home_bp, schedule_bp, billing_bp, account_bp, attendance_bp, staff_bp, staff_billing_bp, sandbox_bp,
               packages_bp, registration_bp, pending_bp, emails_bp, health.bp, stripe_bp, security_bp,
               guardians_bp, access_bp, staff_places_bp, staff_courses_bp, check_in_bp,
               staff_households_bp, staff_skills_bp, staff_makeups_bp, staff_line_categories_bp,
               staff_emails_bp, staff_users_bp):
        app.register_blueprint(bp)

    templating.init_app(app)
    security.init_app(app)
    health.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    return app


def _close(exc):
    if not db.is_closed():
        db.close()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the serializer made once, and no new cookie when nothing changed.

    A flash message shown in the same htmx answer is added and taken out again: the cookie stays as it was.
    """

    def open_session(self, app, request):
        session = super().open_session(app, request)
        if session is not None:
            session.as_opened = copy.deepcopy(dict(session))
        return session

    def save_session(self, app, session, response):
        if session.modified and dict(session) == getattr(session, "as_opened", None):
            session.modified = False
        super().save_session(app, session, response)

    def get_signing_serializer(self, app):
        made = getattr(self, "_made", None)
        if made is None or made[0] is not app.secret_key:
            made = self._made = (app.secret_key, super().get_signing_serializer(app))
        return made[1]
