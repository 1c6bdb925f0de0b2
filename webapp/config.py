"""Configuration from the environment, with safe defaults."""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def secret_key(instance_path):
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _names(value):
    """A comma-separated list of host names, or None when the variable is not set."""
    return [name.strip() for name in value.split(",") if name.strip()] if value else None


def from_environment():
    """Settings read from environment variables; see the README's Configuration table."""
    env = os.environ.get
    return {
        "TRUSTED_PROXIES": int(env("TRUSTED_PROXIES", "0")),
        "TRUSTED_HOSTS": _names(env("TRUSTED_HOSTS")),
        "SERVER_NAME": env("SERVER_NAME") or None,
        "DATABASE_URL": env("DATABASE_URL", f"sqlite:///{ROOT / 'db' / 'cubby.sqlite3'}"),
        "DATABASE_POOL_TIMEOUT": float(env("DATABASE_POOL_TIMEOUT", "10")),
        "DATABASE_POOL_SIZE": int(env("DATABASE_POOL_SIZE", "32")),
        "JOBS_URL": env("JOBS_URL", f"sqlite:///{ROOT / 'instance' / 'jobs.sqlite3'}"),
        "SITE_URL": env("SITE_URL", "").rstrip("/") or None,
        "STRIPE_SECRET_KEY": env("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": env("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/"),
        "STRIPE_JS_URL": env("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", ""),
        "SIGNIN_LIMIT_PER_ACCOUNT": env("SIGNIN_LIMIT_PER_ACCOUNT", "5 per 5 minutes"),
        "SIGNIN_LIMIT_PER_IP": env("SIGNIN_LIMIT_PER_IP", "30 per 5 minutes"),
        "RESET_LIMIT_PER_ACCOUNT": env("RESET_LIMIT_PER_ACCOUNT", "3 per hour"),
        "RESET_LIMIT_PER_IP": env("RESET_LIMIT_PER_IP", "20 per hour"),
        "MAIL_BACKEND": env("MAIL_BACKEND", "console"),
        "MAIL_SERVER": env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USERNAME": env("MAIL_USERNAME"),
        "MAIL_PASSWORD": env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "0") == "1",
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "Cubby <no-reply@localhost>"),
        "MAIL_FILE_PATH": env("MAIL_FILE_PATH", str(ROOT / "instance" / "mail")),
        "SANDBOX_LATENCY_MS": int(env("SANDBOX_LATENCY_MS", "0")),
        "SESSION_COOKIE_SECURE": env("COOKIE_SECURE", "1") == "1",
        "REMEMBER_COOKIE_SECURE": env("COOKIE_SECURE", "1") == "1",
    }
