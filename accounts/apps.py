from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import mark_session_renewed

        # Session plumbing, not business logic: a login starts the idle clock.
        user_logged_in.connect(mark_session_renewed, dispatch_uid="kolcrm-session-renewed")
