"""The web gateway: channel webhooks, health, admin view and CLI, built by create_app()."""

from flask import Flask

from db.redact import install as install_redaction
from db.settings import Settings
from gateway import outage, security
from gateway.services import Services


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; settings come from the environment unless given."""
    settings = settings or Settings.from_env()
    install_redaction()
    app = Flask(__name__, instance_path=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["tinbao"] = Services.build(settings)
    security.install(app, settings)
    outage.install(app)

    from gateway import (
        admin,
        cli,
        health,
        listen,
        simulator,
        sms_kannel,
        sms_twilio,
        status_twilio,
        ussd_africastalking,
        voice_twilio,
    )

    app.register_blueprint(health.bp)
    app.register_blueprint(sms_twilio.bp)
    app.register_blueprint(status_twilio.bp)
    app.register_blueprint(sms_kannel.bp)
    app.register_blueprint(ussd_africastalking.bp)
    app.register_blueprint(voice_twilio.bp)
    app.register_blueprint(listen.bp)
    admin.init_app(app, settings)
    if settings.demo:
        app.register_blueprint(simulator.bp)
    if settings.sms_reply == "queued":
        from gateway.intake import QueuedSms

        app.wsgi_app = QueuedSms(app.wsgi_app, app.extensions["tinbao"],
                                 app.config["MAX_CONTENT_LENGTH"])
    for command in cli.cli.commands.values():
        app.cli.add_command(command)
    return app
