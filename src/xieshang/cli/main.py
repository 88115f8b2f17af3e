"""The ``xieshang`` command.

Start-up must stay fast (``xieshang --help`` under 250 ms): only click is imported here;
each command imports the engine parts it needs when it runs.

Built on click directly rather than typer: typer ≥ 0.17 builds a pydantic TypeAdapter for
every option (``calc overdue --help`` took 0.52 s) and older typer imports rich and
markdown-it at start; click gives the same commands in a fraction of the time.
"""

from __future__ import annotations

import gc
import os
import sys


def _program() -> bool:
    """Whether this process is the ``xieshang`` command (``python -m xieshang``, the
    installed script), not a program or a test that imports this module."""
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    argv = getattr(sys, "argv", None) or [""]
    return getattr(main, "name", None) == "xieshang.__main__" \
        or os.path.basename(argv[0]).startswith("xieshang")


def _pause() -> bool:
    """In the ``xieshang`` command, pause the cyclic garbage collector while modules load
    (click and this module, then a command's own: :meth:`LazyGroup._load`). Loading
    allocates many objects that all stay, and the collections that set off, each looking
    at everything loaded so far, were a tenth of a calculator's start-up (issue 16).
    True if paused: :func:`_resume` then."""
    if not gc.isenabled() or not _program():
        return False
    gc.disable()
    return True


def _resume(paused: bool) -> None:
    """The collector runs again after :func:`_pause`; what was loaded is set apart from its
    collections (``gc.freeze``: modules, classes and functions stay for the process)."""
    if paused:
        gc.freeze()
        gc.enable()


_PAUSED = _pause()

from collections.abc import Callable  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from xieshang.cli._lean import import_click  # noqa: E402

import_click()

import click  # noqa: E402

from xieshang.engine.errors import N_, XieshangError  # noqa: E402

F = TypeVar("F", bound=Callable[..., Any])

#: A figure that outgrew the arithmetic although each value was within its bounds.
TOO_LARGE = N_("a figure grows beyond what xieshang can compute; check the rates, amounts and "
               "dates of the debts (`xieshang debt list`, `xieshang debt edit`)")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Which module registers each command: a command's module (and the services and engine
#: parts it imports) is loaded only when that command runs, so `calc overdue` never pays
#: for the store, the plan or the web app. `--help` lists them from `_SUMMARIES`.
_COMMAND_MODULES = {
    "budget": "budget", "calc": "calc",
    "case": "case", "hardship": "case", "encrypt": "case",
    "debt": "debt", "pay": "debt", "status": "debt",
    "export": "exchange", "import": "exchange", "backup": "exchange", "restore": "exchange",
    "log": "log", "promise": "log", "alerts": "log", "remind": "log",
    "ladder": "negotiate", "offer": "negotiate", "refused": "negotiate",
    "prepare": "negotiate", "script": "negotiate", "dossier": "negotiate",
    "plan": "plan", "serve": "serve", "open": "serve", "batch": "batch",
}


#: Each command's first paragraph of help, so that ``xieshang --help`` lists the commands
#: without importing them (a test keeps it equal to the commands' own help).
_SUMMARIES = {
    "alerts": (
        "今天需要跟进的事：到期还款、未收到书面确认、逾期未处理的承诺、违规催收电话 "
        "(what needs following up today)."
    ),
    "backup": "备份整个数据库（一致的快照） (back up the whole store: a consistent snapshot).",
    "batch": (
        "批量评估许多案例（本机或 Dask 集群）。Many cases at once, on this machine or "
        "a Dask cluster."
    ),
    "budget": "收支表：家庭情况、每月收入和支出、每月能还多少、如何分给各笔债务。",
    "calc": "计算器：逾期费用、分期、还款计划、年化利率、信用卡利息、利率上限、时间线。",
    "case": "案例：一个人及其债务（一个数据库可以放几个案例）。",
    "debt": "债务：添加、修改、列出、删除，以及与贷款机构的数字核对。",
    "demo": "内置演示案例：花呗、借呗、信用卡都已逾期。The built-in demo case.",
    "dossier": (
        "整套协商材料：情况、账单、时间线、收支、方案、话术、联系记录、承诺、证据索引 "
        "(the dossier, HTML and PDF)."
    ),
    "encrypt": (
        "用口令加密保存个人信息（姓名、身份证号、手机号、卡号） (encrypt personal data "
        "at rest)."
    ),
    "export": "把一个案例导出为一个 JSON 文件 (export one case as a JSON document).",
    "hardship": "困难情况：为什么逾期、从什么时候、预计何时恢复，以及证明材料。",
    "import": (
        "从 JSON 文件导入一个案例（总是新建案例，不覆盖） (import a case as a new "
        "case)."
    ),
    "ladder": "协商阶梯：首次请求、退一步的方案、底线 (the proposal ladder for a debt).",
    "log": "联系记录：每次与贷款机构或催收的联系（修改会保留旧版本）。",
    "offer": (
        "检查对方提出的方案：还得起吗、真实年化和总成本、下一步怎么说 (check a "
        "counter-offer)."
    ),
    "open": (
        "打开本机网页版：启动并在浏览器中打开（不带参数运行 xieshang 也一样）。Start "
        "the local web app and open it in the browser (what ``xieshang`` with no "
        "arguments does)."
    ),
    "pay": "记录一笔已还款 (record a payment made).",
    "plan": (
        "还款计划：各种策略比较，或某个策略的逐月计划。The repayment plan across all "
        "debts."
    ),
    "prepare": (
        "联系贷款机构之前要准备什么：材料清单、渠道、你的权利、小心付费代理 (what to "
        "prepare before contacting the lender)."
    ),
    "promise": "承诺：双方答应的事（金额、期限、条件、是否书面确认）。",
    "refused": (
        "对方拒绝了：可能的原因和下一步 (they said no: the likely cause and the next "
        "moves)."
    ),
    "remind": (
        "把提醒写成 .ics 日历：还款、跟进、书面确认、每年两次免费查信用报告 (write the "
        "reminders as an .ics calendar)."
    ),
    "restore": (
        "用备份替换当前数据库（先自动保留一份当前数据） (restore a backup; the current "
        "data is kept first)."
    ),
    "script": (
        "协商用的文书：电话提纲、在线客服、申请书、困难说明、收支说明、书面确认、跟进函"
        "、复议申请、欠款明细申请、给催收的告知函、公开求助、投诉；亲友借款另有还款协议"
        " (scripts and letters)."
    ),
    "selfcheck": (
        "重新核对公开的计算示例。Re-verify the published worked examples; exit 1 on a "
        "mismatch."
    ),
    "serve": (
        "本机网页版（默认只监听 127.0.0.1）。The local web app (loopback only by "
        "default)."
    ),
    "status": "每笔债务：今天应还多少（逐项）、每天增加多少、下一个节点 (every debt today).",
}


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (``$COLUMNS``, else the size of the terminal
    on standard output, else 80) without importing shutil, which imports the compressors."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns or 80


class Context(click.Context):
    """click's context; its help formatter is as wide as click makes it (see
    ``click.formatting.HelpFormatter``), found without importing shutil (issue 16)."""

    def make_formatter(self) -> click.HelpFormatter:
        width = self.terminal_width
        if width is None:
            from click import formatting

            width = formatting.FORCED_WIDTH
            if width is None:
                most = 80 if self.max_content_width is None else self.max_content_width
                width = max(min(_terminal_columns(), most) - 2, 50)
        return self.formatter_class(width=width, max_width=self.max_content_width)


class Command(click.Command):
    """A command with :class:`Context`."""

    context_class = Context


class Group(click.Group):
    """A group with :class:`Context`, whose commands and groups have it too."""

    context_class = Context
    command_class = Command
    group_class: type[click.Group | type] | None = type


class LazyGroup(Group):
    """A command group whose commands are registered by modules imported on first use.

    ``summaries``: each lazy command's first paragraph of help, so that the group's help
    lists them without importing them."""

    group_class = Group

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None,
                 summaries: dict[str, str] | None = None, **kwargs: Any) -> None:
        self._lazy = dict(lazy or {})
        self._summaries = dict(summaries or {})
        self._listing = False
        self._loading = False
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command, loading the modules not loaded yet (docs, `--help`)."""
        if self._lazy and not self._loading:
            for module in sorted(set(self._lazy.values())):
                self._load(module)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load(self, module: str) -> None:
        import importlib

        self._loading = True
        paused = _pause()
        try:
            importlib.import_module(f"xieshang.cli.{module}")
        finally:
            self._loading = False
            _resume(paused)
        self._lazy = {name: m for name, m in self._lazy.items() if m != module}

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._loading, loading = True, self._loading
        try:
            super().add_command(cmd, name)
        finally:
            self._loading = loading

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = self._lazy.get(cmd_name)
        if module is not None:
            if self._listing and cmd_name in self._summaries:
                # listed in the help: its summary stands in for it, nothing is imported
                return click.Command(cmd_name, help=self._summaries[cmd_name])
            self._load(module)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._commands) | set(self._lazy))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False


@click.group(
    cls=LazyGroup, lazy=_COMMAND_MODULES, summaries=_SUMMARIES,
    context_settings=CONTEXT,
    help="协商 xieshang — 看清逾期的代价，找到还得起的方案，好好去谈。\n\n"
    "See what being overdue costs, find an arrangement you can afford, ask for it well.",
)
@click.version_option(package_name="xieshang", message="xieshang %(version)s")
@click.option("--data-dir", "data_dir", default=None, metavar="DIR",
              help="数据文件夹（默认 $XIESHANG_HOME 或系统的用户数据文件夹）. Data folder.")
@click.option("--db-url", "db_url", default=None, metavar="URL",
              help="数据库 URL，如 PostgreSQL（默认 $XIESHANG_DB_URL 或数据文件夹中的 SQLite）. Database URL.")
@click.option("--passphrase-file", "passphrase_file", default=None, metavar="FILE",
              help="个人信息加密口令所在的文件（或环境变量 XIESHANG_PASSPHRASE）. Passphrase file.")
@click.option("--now", "now", default=None, metavar="MOMENT",
              help="按这一时刻运行，如 2026-12-06T23:30+08:00（或环境变量 XIESHANG_NOW；默认现在）. "
              "Run as of this moment (Beijing time unless an offset is given).")
@click.pass_context
def app(ctx: click.Context, data_dir: str | None, db_url: str | None,
        passphrase_file: str | None, now: str | None) -> None:
    """The command group: keeps the global options for the commands and sets the clock."""
    from xieshang import clock

    ctx.obj = {"data_dir": data_dir, "db_url": db_url, "passphrase_file": passphrase_file}
    if now is not None:
        ctx.with_resource(clock.pinned(clock.parse_moment(now)))
    else:
        clock.now()  # a pinned moment in $XIESHANG_NOW that cannot be read stops here


@app.group(
    "calc", cls=LazyGroup,
    lazy={"overdue": "calc",
          **dict.fromkeys(("installment", "schedule", "apr", "card-interest", "cap",
                           "timeline"), "calculators")},
    context_settings=CONTEXT,
    help="计算器：逾期费用、分期、还款计划、年化利率、信用卡利息、利率上限、时间线。\n\n"
    "Calculators: overdue charges, installments, schedules, APR, card interest, legal caps, "
    "timeline.",
)
def calc_app() -> None:
    """The calculators."""


def common_options(function: F) -> F:
    """``--lang`` and ``--json``, shared by every command that prints results."""
    function = click.option(
        "--json", "as_json", is_flag=True, help='输出 JSON（金额为字符串，如 "30.00"）. JSON output.'
    )(function)
    return click.option(
        "--lang", "lang", default=None, metavar="zh|zh-Hant|zh-HK|en",
        help="界面语言（默认 zh，或环境变量 XIESHANG_LANG；zh-Hant 台湾繁体，zh-HK 香港繁体）. "
             "Language.",
    )(function)


@app.command("demo", context_settings=CONTEXT)
@common_options
def demo_command(lang: str | None, as_json: bool) -> None:
    """内置演示案例：花呗、借呗、信用卡都已逾期。The built-in demo case."""
    from xieshang.cli import demo

    demo.run(lang, as_json)


@app.command("selfcheck", context_settings=CONTEXT)
@common_options
def selfcheck_command(lang: str | None, as_json: bool) -> None:
    """重新核对公开的计算示例。Re-verify the published worked examples; exit 1 on a mismatch."""
    from xieshang.output import Output
    from xieshang.paths import preset_dir
    from xieshang.rules import load_presets
    from xieshang.selfcheck import run_selfcheck

    out = Output.make(lang, as_json)
    _ = out._
    results = run_selfcheck(load_presets(preset_dir()))
    failed = [r for r in results if not r.ok]
    if out.as_json:
        out.json({"ok": not failed, "examples": [
            {"id": r.id, "title": r.title, "source": r.source, "confidence": r.confidence,
             "expected": dict(r.expected), "actual": {k: r.actual.get(k) for k in r.expected},
             "ok": r.ok} for r in results]})
    else:
        def title(text: str) -> str:
            zh, _sep, en = text.partition(" / ")
            return en if out.lang == "en" and en else zh

        rows = [
            (r.id, f"{title(r.title)}\n[{r.confidence}] {r.source}",
             "\n".join(f"{k}={v}" for k, v in r.expected.items()),
             "\n".join(f"{k}={r.actual.get(k)}" for k in r.expected),
             _("ok") if r.ok else _("MISMATCH"))
            for r in results
        ]
        out.print(out.table(_("Published worked examples"),
                            [_("Example"), _("What (source)"), _("Published"), _("xieshang"),
                             _("Result")], rows))
        out.print(_("{passed} of {total} examples reproduced.").format(
            passed=len(results) - len(failed), total=len(results)))
    if failed:
        raise SystemExit(1)


def run(argv: list[str] | None = None) -> None:
    """Entry point: run the app; turn xieshang's errors into a clear message and exit 2."""
    args = sys.argv[1:] if argv is None else argv
    if not args:  # started from a desktop icon or with no arguments: the web app
        args = ["open"]
    try:
        try:
            app.main(args=args, prog_name="xieshang", standalone_mode=True)
        except Exception as error:
            # decimal is imported by the commands that compute (not by --help): an error of
            # it can only come once it is
            decimal = sys.modules.get("decimal")
            if isinstance(error, OverflowError) or (
                    decimal is not None and isinstance(error, decimal.InvalidOperation)):
                # every value was within its bounds, yet a figure outgrew the arithmetic
                # (charges compounding for decades): say so instead of a traceback
                raise XieshangError(TOO_LARGE) from None
            # a full disk, a busy or unreadable case file met outside a transaction (a
            # file being written, the store being opened): named as such
            from xieshang.store.db import store_trouble

            trouble = store_trouble(error)
            if trouble is None or isinstance(error, XieshangError):
                raise
            raise trouble from None
    except XieshangError as error:
        from xieshang.i18n import translate_error

        lang = _lang_from_argv(args)
        try:
            message = translate_error(error, lang)
        except ValueError:  # not a language (--lang or $XIESHANG_LANG): said in the default
            from xieshang.i18n import DEFAULT_LANG

            lang = DEFAULT_LANG
            message = translate_error(error, lang)
        english = (lang or "").lower().startswith("en")
        message = f"error: {message}" if english else f"错误：{message}"
        from xieshang.i18n import chinese_variant

        variant = None if english else chinese_variant(lang)
        if variant is not None:  # Traditional Chinese, as the rest of the screen
            from xieshang.i18n import to_traditional

            message = to_traditional(message, variant)
        click.echo(message, err=True)
        raise SystemExit(2) from None


def _lang_from_argv(argv: list[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("XIESHANG_LANG")


_resume(_PAUSED)  # this module is loaded

if __name__ == "__main__":  # pragma: no cover
    run()
