"""The `cpom` console command: Django's management command for this project, introduced in French."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    from django.core.management import ManagementUtility, get_commands

    class Utility(ManagementUtility):
        def main_help_text(self, commands_only=False):
            if commands_only:
                return super().main_help_text(commands_only)
            ours = sorted(name for name, app in get_commands().items() if app.startswith("cpom."))
            others = sorted(name for name, app in get_commands().items() if not app.startswith("cpom."))
            return "\n".join(
                [
                    "",
                    f"« {self.prog_name} COMMANDE --help » décrit une commande.",
                    "",
                    "Commandes de cpom :",
                    *(f"    {name}" for name in ours),
                    "",
                    "Commandes de Django et des modules utilisés (aide en anglais) :",
                    *(f"    {name}" for name in others),
                ]
            )

    Utility(["cpom", *sys.argv[1:]]).execute()


if __name__ == "__main__":
    main()
