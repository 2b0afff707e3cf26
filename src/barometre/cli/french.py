"""The command line's own words in French: help boilerplate and option errors.

Typer (and the Click it carries) writes « Usage », « Show this message and exit. » and
its errors (« No such option », « Missing option », « Invalid value… ») in English, with
no translation catalogue. The commands of ``barometre`` are built from the classes
below, which write those words in French: the usage line, the help option, the
completion options, and every usage error raised while the arguments are read (the
message is rewritten from the error's own fields: option name, suggestions, the
validation error of the value). :func:`french_commands` gives every command and group of
an application these classes; Typer's own titles (« Options », « Commandes »,
« Erreur ») are its published settings in :mod:`typer.rich_utils`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
import typer.rich_utils as rich_utils
from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import DefaultPlaceholder

HELP_TEXT = "Afficher cette aide et quitter."
USAGE = "Utilisation : "
COMPLETION_HELP = {
    "install_completion": "Installer la complétion pour le shell courant.",
    "show_completion": "Afficher la complétion pour le shell courant (à copier ou adapter).",
}
_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Abandon.",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "DEPRECATED_STRING": "(obsolète) ",
    "RICH_HELP": "Aide : [blue]{command_path} {help_option}[/]",
}


def _hint(error: click.exceptions.BadParameter) -> str:
    if error.param_hint is not None:
        hints = error.param_hint
        return " / ".join(hints) if not isinstance(hints, str) else hints
    if error.param is not None:
        return " / ".join(error.param.opts) or (error.param.name or "").upper()
    return ""


def _value_problem(error: click.exceptions.BadParameter) -> str:
    """What is wrong with the value, from the validation error that refused it."""
    cause = error.__cause__
    details: list[dict[str, Any]] = []
    if cause is not None and hasattr(cause, "errors"):
        try:
            details = list(cause.errors())
        except (TypeError, ValueError):
            details = []
    if not details:
        return error.message
    first = details[0]
    kind = str(first.get("type", ""))
    given = first.get("input")
    shown = f"« {given} »" if given is not None else "la valeur"
    context = first.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} n'est pas un nombre entier"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{shown} n'est pas un nombre"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown} n'est ni oui ni non"
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace(" or ", " ou ")
        return f"{shown} n'est pas l'une des valeurs possibles ({expected})"
    if kind == "value_error":
        text = str(context.get("error") or first.get("msg", "")).removeprefix("Value error, ")
        choice = re.match(r"^'?(.*?)'? is not one of (.*?)\.?$", text)
        if choice:
            return (
                f"« {choice.group(1)} » n'est pas l'une des valeurs possibles "
                f"({choice.group(2).replace(chr(39), '')})"
            )
        return text.rstrip(".")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{shown} n'est pas une date (AAAA-MM-JJ)"
    if kind.startswith("path") or kind == "path_type":
        return f"{shown} n'est pas un chemin valide"
    return f"{shown} refusée ({first.get('msg', kind)})"


def french_message(error: click.exceptions.UsageError) -> str:
    """The French message of a usage error raised while the arguments were read."""
    if isinstance(error, click.exceptions.NoSuchOption):
        text = f"Option inconnue : {error.option_name}"
        if error.possibilities:
            options = ", ".join(sorted(error.possibilities))
            text += f" (vouliez-vous dire {options} ?)"
        return text + "."
    if isinstance(error, click.exceptions.MissingParameter):
        hint = _hint(error)
        kind = "argument" if isinstance(error.param, TyperArgument) else "option"
        return (
            f"{kind.capitalize()} obligatoire manquant{'e' if kind == 'option' else ''} : {hint}."
        )
    if isinstance(error, click.exceptions.BadParameter):
        return f"Valeur invalide pour {_hint(error)} : {_value_problem(error)}."
    if isinstance(error, click.exceptions.BadOptionUsage):
        name = error.option_name
        if "does not take a value" in error.message:
            return f"L'option {name} ne prend pas de valeur."
        if "requires" in error.message:
            return f"L'option {name} attend une valeur."
        return f"Option {name} mal employée : {error.message}"
    message = error.message
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1 : message.rfind(")")]
        return f"Argument en trop : {extra}."
    unknown = re.match(r"^No such command '(.*?)'\.(?: Did you mean '(.*?)'\?)?", message)
    if unknown:
        text = f"Commande inconnue : {unknown.group(1)}"
        return text + (f" (vouliez-vous dire {unknown.group(2)} ?)." if unknown.group(2) else ".")
    if message == "Missing command.":
        return "Commande manquante."
    return message


def _french(error: click.exceptions.UsageError) -> click.exceptions.UsageError:
    translated = click.exceptions.UsageError(french_message(error), error.ctx)
    translated.exit_code = error.exit_code
    return translated


class _French:
    """What both the commands and the groups change: usage line, help option, errors."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: click.Context) -> TyperOption | None:
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            parsed: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
        except click.exceptions.UsageError as error:
            raise _french(error) from error
        return parsed


class FrenchCommand(_French, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[OPTIONS]"


class FrenchGroup(_French, TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[OPTIONS]"
        self.subcommand_metavar = "COMMANDE [ARGUMENTS]…"

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params: list[click.Parameter] = super().get_params(ctx)
        for param in params:
            if isinstance(param, TyperOption) and param.name in COMPLETION_HELP:
                param.help = COMPLETION_HELP[param.name]
        return params

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as error:
            raise _french(error) from error


def _default(cls: Any, default: type) -> bool:
    return cls is None or cls is default or isinstance(cls, DefaultPlaceholder)


def _apply(app: typer.Typer) -> None:
    if _default(app.info.cls, TyperGroup):
        app.info.cls = FrenchGroup
    for command in app.registered_commands:
        if _default(command.cls, TyperCommand):
            command.cls = FrenchCommand
    for group in app.registered_groups:
        if _default(group.cls, TyperGroup):
            group.cls = FrenchGroup
        if group.typer_instance is not None:
            _apply(group.typer_instance)


def french_commands(app: typer.Typer, *, titles: Sequence[str] = tuple(_TITLES)) -> None:
    """Every command and group of ``app`` (and of its sub-applications) in French; call
    once every command is registered."""
    for name in titles:
        setattr(rich_utils, name, _TITLES[name])
    _apply(app)
