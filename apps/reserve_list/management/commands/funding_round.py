import json as json_module
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.reserve_list import services
from apps.reserve_list.models import Call, FundingPolicy


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{value!r} is not a number") from None


class Command(BaseCommand):
    help = "Simulate (default) or commit a funding round of a call's reserve list."

    def add_arguments(self, parser):
        parser.add_argument("--call", type=int, required=True, help="call year, e.g. 2023")
        parser.add_argument("--amount", type=_decimal, required=True, help="EUR to distribute")
        parser.add_argument("--policy", choices=FundingPolicy.values, required=True)
        parser.add_argument("--min-share", type=_decimal, default=None, help="for --policy partial, e.g. 0.5")
        parser.add_argument("--commit", action="store_true", help="create the offers (default: only simulate)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--user", help="e-mail of the agency officer recorded as committing the round")

    def handle(self, *args, call, amount, policy, min_share, commit, json: bool, user, **options):
        call_obj = Call.objects.filter(year=call).order_by("-programme_id").first()
        if call_obj is None:
            raise CommandError(f"No call {call}.")
        if policy == FundingPolicy.PARTIAL and min_share is None:
            raise CommandError("--policy partial needs --min-share.")
        by = User.objects.filter(email__iexact=user).first() if user else None
        if user and by is None:
            raise CommandError(f"No user {user}.")
        plan = services.round_simulate(call=call_obj, amount=amount, policy=policy, min_share=min_share)
        if commit:
            try:
                funding_round = services.round_commit(
                    call=call_obj, amount=amount, policy=policy, min_share=min_share, by=by
                )
            except services.ReserveListError as exc:
                raise CommandError(str(exc)) from None
            offers = [
                (o.application.number, o.amount, o.is_partial)
                for o in funding_round.offers.select_related("application").order_by("pk")
            ]
            remaining = funding_round.amount - sum((o[1] for o in offers), Decimal("0.00"))
        else:
            offers = [(o.number, o.amount, o.is_partial) for o in plan.offers]
            remaining = plan.remaining
        if json:
            self._print_json(call, policy, offers, remaining)
            return
        verb = "Committed" if commit else "What-if (nothing saved; add --commit)"
        self.stdout.write(f"{verb}: call {call}, policy {policy}, {len(offers)} offers")
        for number, offer_amount, partial in offers:
            self.stdout.write(f"  {number}  {offer_amount:>12}{'  partial' if partial else ''}")
        self.stdout.write(f"Remaining: {remaining}")

    def _print_json(self, call, policy, offers, remaining):
        payload = {
            "call": call,
            "policy": policy,
            "offers": [{"application_number": number, "amount": f"{amount:.2f}"} for number, amount, _p in offers],
            "remaining": f"{remaining:.2f}",
        }
        self.stdout.write(json_module.dumps(payload, ensure_ascii=False))
