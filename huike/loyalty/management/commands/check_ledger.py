from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huike.loyalty.jobs import ledger_check


class Command(BaseCommand):
    help = (
        "Prove that every membership card's cached balances equal the sums of its ledger "
        "entries (and its open points lots); list any card that differs. Records a job run."
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
        if not run.ok:
            raise CommandError(
                _("%(n)d card(s) differ from the ledger.") % {"n": len(run.detail["differing"])}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("The ledger agrees with every card's balances (%(n)d cards).")
                % {"n": run.detail["cards"]}
            )
        )
