"""`compliance serve` (the web app of SPEC §6a) and `compliance user add` (its accounts)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import click
import typer

from compliance.cli.app import DbOption, Exit, RubricsOption, StandardsOption, app, db_url, err, out
from compliance.store.accounts import Role

user_app = typer.Typer(
    help="网页版的账号：新建管理员、考评人员和中队账号。\n\n示例：compliance user add 张三 --role 考评人员 --db compliance.db",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(user_app, name="user")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option("--host", help="监听地址；局域网内访问时用本机的局域网地址或 0.0.0.0。")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="监听端口。", min=1, max=65535)] = 8000,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            help="达标目标文件（targets.yaml）：启用达标进度页和总览的目标节点。",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="单位名单（units.yaml）：尚无评估的单位也能下载空白检查表。",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", help="工作进程数（PostgreSQL 上可多开；SQLite 建议 1–2）。", min=1, max=64),
    ] = 1,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", help="一次上传的总大小上限（MB）。", min=1, max=500)
    ] = 20,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies", help="只通过 HTTPS 发送登录 Cookie（经 HTTPS 反向代理提供服务时使用）。"
        ),
    ] = False,
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
) -> int:
    """启动网页版（局内网使用）：局领导看排名、达标率和目标进度，考评人员上传检查表，中队只看本单位。

    页面、样式和图表都由本程序提供，无需外网。账号先用 compliance user add 创建。

    示例：compliance serve --db reports/demo/compliance.db --targets examples/nantong/targets.yaml
    """
    import uvicorn

    from compliance.store import Store
    from compliance.store.accounts import Accounts
    from compliance.web.config import ENV, MB, WebConfig

    config = WebConfig(
        db=db_url(db),
        targets=str(targets) if targets else None,
        units=str(units) if units else None,
        standards=tuple(str(p) for p in standards or ()),
        rubrics=tuple(str(p) for p in rubrics or ()),
        max_upload_bytes=max_upload_mb * MB,
        secure_cookies=secure_cookies,
        secret=os.environ.get("COMPLIANCE_SECRET_KEY") or None,
    )
    # Every input is checked here, once, with the CLI's messages, before any worker starts.
    if targets:
        from compliance.catalog import load_targets

        load_targets(targets)
    if units:
        from compliance.workbook import load_units_file

        load_units_file(units)
    with Store.open(config.db) as store:  # upgrade the schema once, before any worker starts
        admins = Accounts(store).count(Role.ADMIN)
        where = store.where
    if not admins:
        err.print(
            f"提示：历史库 {where} 中还没有可用的管理员账号。请先运行：\n"
            f"  compliance user add 管理员名 --role 管理员 --db {config.db}",
            markup=False,
        )
    _check_port(host, port)
    out.print(f"网页版已启动：http://{host}:{port}/ （历史库 {where}；按 Ctrl+C 停止）", markup=False)
    if workers == 1:
        from compliance.web.app import create_app

        uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=True)
    else:
        os.environ[ENV] = config.to_env()
        uvicorn.run(
            "compliance.web.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=True,
        )
    return Exit.OK


def _check_port(host: str, port: int) -> None:
    """Say in Chinese, before uvicorn would say it in English, that the address is taken."""
    import socket

    from compliance.findings import ComplianceError

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ComplianceError(
            f"无法在 {host}:{port} 上监听（{exc.strerror or exc}）：端口可能已被占用，请换一个 --port"
        ) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise click.UsageError("标准输入不是终端：请加 --password-stdin 从标准输入读取密码")
    first = typer.prompt("密码", hide_input=True)
    second = typer.prompt("再输一次密码", hide_input=True)
    if first != second:
        raise click.UsageError("两次输入的密码不一致")
    return first


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="账号名（登录时输入），如 张三 或 zhangsan。")],
    role: Annotated[Role, typer.Option("--role", help="角色：管理员（局）、考评人员或中队。")],
    unit: Annotated[str | None, typer.Option("--unit", help="中队账号所属的单位编码（中队必填）。")] = None,
    db: DbOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行），而不是交互输入两次。")
    ] = False,
) -> int:
    """新建网页版账号。密码不回显地输入两次，或用 --password-stdin 从标准输入读取；以 argon2 散列保存。

    示例：echo '一个足够长的密码' | compliance user add 文峰中队 --role 中队 --unit 320602001 --password-stdin
    """
    from compliance.store import Store
    from compliance.store.accounts import Accounts

    if role is Role.SQUAD and not unit:
        raise click.UsageError("中队账号必须用 --unit 指定所属单位编码")
    if role is not Role.SQUAD and unit:
        raise click.UsageError(f"只有中队账号绑定单位；{role}账号不要加 --unit")
    password = _password(password_stdin)
    with Store.open(db_url(db)) as store:
        known = {u.code for u in store.units()}
        user = Accounts(store).add(name, role, password, unit_code=unit)
        where = store.where
    out.print(
        f"已创建账号“{user.name}”（{user.role}{'，单位 ' + unit if unit else ''}），历史库 {where}",
        markup=False,
    )
    if unit and unit not in known:
        err.print(f"警告：历史库中还没有单位 {unit} 的评估记录；请确认单位编码无误", markup=False)
    return Exit.OK


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="要重设密码的账号名。")],
    db: DbOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取新密码（一行），而不是交互输入两次。")
    ] = False,
) -> int:
    """重设账号的密码（该账号已登录的会话随即失效），并重新启用该账号。

    示例：compliance user passwd 局管理员 --db compliance.db
    """
    from compliance.store import Store
    from compliance.store.accounts import Accounts

    password = _password(password_stdin)
    with Store.open(db_url(db)) as store:
        accounts = Accounts(store)
        accounts.set_password(name, password)
        accounts.set_active(name, True)
    out.print(f"已重设账号“{name}”的密码", markup=False)
    return Exit.OK


@user_app.command("list")
def user_list(db: DbOption = None) -> int:
    """列出网页版的全部账号：账号名、角色、所属单位、是否启用。

    示例：compliance user list --db compliance.db
    """
    from compliance.store import Store
    from compliance.store.accounts import Accounts

    with Store.open(db_url(db)) as store:
        users = Accounts(store).all()
    for u in users:
        state = "启用" if u.active else "已停用"
        out.print(f"{u.name}  {u.role}  {u.unit_code or '—'}  {state}", markup=False)
    if not users:
        out.print("还没有账号：用 compliance user add 创建", markup=False)
    return Exit.OK
