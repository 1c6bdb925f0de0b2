"""Extension objects, bound to the app in create_app."""
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_mailman import Mail
from flask_wtf import CSRFProtect
from peewee import DatabaseProxy

db = DatabaseProxy()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
mail = Mail()
