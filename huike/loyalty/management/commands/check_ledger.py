from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huike.loyalty.jobs import ledger_check


class Command(BaseCommand):
    help = (
        "Prove that every membership card's cached balances equal the sums of its ledger "
        "entries (and its open points lots) and every coupon's status its events; list any "
        "that differs. Records a job run."
    )

    def handle(self, *args, **options):
        run = ledger_check()
        for card in run.detail["differing"]:
            self.stdout.write(
                _(
                    "Card %(number)s (id %(card)s, brand group %(tenant)s): cached %(cached)s, "
                    "ledger %(ledger)s, points lots %(lots)s"
                )
                % card
            )
        for coupon in run.detail["coupons_differing"]:
            self.stdout.write(
                _(
                    "Coupon %(code)s (id %(coupon)s, brand group %(tenant)s): status "
                    "%(status)s, events %(events)s"
                )
                % coupon
            )
        if not run.ok:
            raise CommandError(
                _("%(n)d card(s) and %(m)d coupon(s) differ from the ledger.")
                % {"n": len(run.detail["differing"]), "m": len(run.detail["coupons_differing"])}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "The ledger agrees with every card's balances (%(n)d cards) and every "
                    "coupon's status (%(m)d coupons)."
                )
                % {"n": run.detail["cards"], "m": run.detail["coupons"]}
            )
        )
