from allauth.account.adapter import DefaultAccountAdapter

# Set by a higher app (an invitation view) through ``allow_signup``.
SIGNUP_SESSION_KEY = "accounts_signup_email"


def allow_signup(request, email: str) -> None:
    """Open sign-up for this browser session, for the invited address.

    The invitation link went to ``email``, so following it proves the address:
    allauth then marks it verified without sending a confirmation e-mail.
    """
    request.session[SIGNUP_SESSION_KEY] = email.lower()
    AccountAdapter(request).stash_verified_email(request, email)


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is by invitation only: the agency, an organisation or a project invites people."""

    def is_open_for_signup(self, request):
        return bool(request.session.get(SIGNUP_SESSION_KEY))
