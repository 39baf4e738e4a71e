"""The web app over HTTP (Starlette's TestClient on the real app, a real SQLite store):
every role × every URL, CSRF and Origin refusal, login throttling, uploads, and the
fixed JSON API against the real CLI's --json output."""

from __future__ import annotations

import json
import re

import conftest_web
import pytest
from conftest_web import PASSWORD, ROUNDS, broken_copy, config, login, run
from starlette.testclient import TestClient

from compliance.store import Store
from compliance.store.accounts import Accounts
from compliance.web.app import create_app

programme = conftest_web.programme  # the session fixture, seen by pytest through this name

ROLES = {"admin": ("局管理员", "管理员"), "inspector": ("考评员", "考评人员"), "squad": ("本队", "中队")}


@pytest.fixture(scope="module")
def app(programme):
    application = create_app(config(programme))
    yield application
    application.state.web.close()


@pytest.fixture(scope="module")
def clients(app):
    made = {role: login(app, *who) for role, who in ROLES.items()}
    made["anonymous"] = TestClient(app, base_url="http://testserver")
    return made


R = ROUNDS[-1]
OK, NO, LOGIN, TO_UNIT = 200, 403, "login", "unit"


def matrix(own: str, other: str) -> list[tuple[str, dict[str, object]]]:
    """URL → what each role gets: a status, LOGIN (303 to the login page) or TO_UNIT
    (303 to the squad's own unit page)."""
    page = {"anonymous": LOGIN}
    api = {"anonymous": 401}
    staff_only = {"admin": OK, "inspector": OK, "squad": NO}
    everyone = {"admin": OK, "inspector": OK, "squad": OK}
    admin_only = {"admin": OK, "inspector": NO, "squad": NO}
    return [
        ("/", {**page, "admin": OK, "inspector": OK, "squad": TO_UNIT}),
        ("/rounds", {**page, "admin": 303, "inspector": 303, "squad": NO}),
        (f"/rounds/{R}", {**page, **staff_only}),
        (f"/rounds/{R}?kind=自评", {**page, **staff_only}),
        (f"/rounds/{R}/ranking.pdf", {**page, **staff_only}),
        (f"/rounds/{R}/ranking.xlsx", {**page, **staff_only}),
        ("/progress", {**page, **staff_only}),
        ("/progress.pdf", {**page, **staff_only}),
        ("/units", {**page, "admin": OK, "inspector": OK, "squad": TO_UNIT}),
        (f"/units/{own}", {**page, **everyone}),
        (f"/units/{other}", {**page, **staff_only}),
        ("/units/999999999", {**page, "admin": 404, "inspector": 404, "squad": NO}),
        (f"/reports/{R}/{own}.pdf", {**page, **everyone}),
        (f"/reports/{R}/{own}.pdf?kind=自评", {**page, **everyone}),
        (f"/reports/{R}/{other}.pdf", {**page, **staff_only}),
        (f"/reports/{R}/999999999.pdf", {**page, "admin": 404, "inspector": 404, "squad": NO}),
        ("/templates", {**page, **everyone}),
        (f"/template?unit={own}&round=2020H1&kind=自评", {**page, **everyone}),
        (f"/template?unit={own}&round=2020H1&kind=考评", {**page, **staff_only}),
        (f"/template?unit={other}&round=2020年上半年&kind=自评", {**page, **staff_only}),
        ("/upload", {**page, **everyone}),
        ("/admin/users", {**page, **admin_only}),
        ("/admin/audit", {**page, **admin_only}),
        (f"/api/rank?round={R}&kind=考评", {**api, **everyone}),
        (f"/api/rank?round={R}&kind=自评", {**api, **everyone}),
        (f"/api/units/{own}/assessments", {**api, **everyone}),
        (f"/api/units/{other}/assessments", {**api, **staff_only}),
        ("/api/units/999999999/assessments", {**api, "admin": 404, "inspector": 404, "squad": NO}),
    ]


def test_every_role_gets_what_it_may_and_nothing_else(programme, clients):
    failures = []
    forbidden_bodies = set()
    for url, expected in matrix(programme.own, programme.other):
        for role, want in expected.items():
            response = clients[role].get(url, follow_redirects=False)
            got = response.status_code
            location = response.headers.get("location", "")
            if want == LOGIN:
                ok = got == 303 and location.startswith("/login?next=")
            elif want == TO_UNIT:
                ok = got == 303 and location == f"/units/{programme.own}"
            else:
                ok = got == want
            if not ok:
                failures.append(f"{role} GET {url}: {got} {location}, expected {want}")
            if got == 403:
                forbidden_bodies.add((response.headers["content-type"].split(";")[0], response.text))
    assert failures == []
    # A 403 reveals nothing: the same body whether the unit exists or not, page or API.
    assert len({text for kind, text in forbidden_bodies if kind == "application/json"}) == 1
    pages = {text for kind, text in forbidden_bodies if kind == "text/html"}
    assert all(programme.other not in text and "999999999" not in text for text in pages)


def test_downloads_are_what_they_say(programme, clients):
    admin = clients["admin"]
    pdf = admin.get(f"/reports/{R}/{programme.own}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    xlsx = admin.get(f"/rounds/{R}/ranking.xlsx")
    assert xlsx.content.startswith(b"PK")
    blank = clients["squad"].get(f"/template?unit={programme.own}&round=2020年上半年&kind=自评")
    assert blank.content.startswith(b"PK")
    # The blank workbook is the template writer's: the round typed in Chinese is stored canonically.
    assert "filename*=UTF-8''" + programme.own + "_2020H1_" in blank.headers["content-disposition"]


def test_a_wrong_round_for_a_blank_workbook_is_a_400_naming_the_accepted_forms(programme, clients):
    response = clients["inspector"].get(f"/template?unit={programme.own}&round=明年&kind=考评")
    assert response.status_code == 400
    assert "2021H1" in response.text and "明年" in response.text


def test_the_squads_ranking_api_holds_only_its_own_row(programme, clients):
    rows = clients["squad"].get(f"/api/rank?round={R}").json()
    assert [row["unit"]["code"] for row in rows] == [programme.own]


# --- the JSON API equals the CLI's --json ----------------------------------------------------


@pytest.mark.parametrize("kind", ["考评", "自评"])
@pytest.mark.parametrize("round_", ROUNDS)
def test_api_rank_equals_compliance_rank_json(programme, clients, round_, kind):
    cli = run("rank", "--round", round_, "--kind", kind, "--json", "--db", str(programme.db))
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert len(expected) == len(programme.units)
    assert clients["inspector"].get(f"/api/rank?round={round_}&kind={kind}").json() == expected


def test_api_assessments_equal_compliance_score_json_of_each_workbook(programme, clients):
    code = programme.own
    got = clients["squad"].get(f"/api/units/{code}/assessments").json()
    keys = [(o["round"], o["kind"]) for o in got]
    # Rounds in order, 自评 before 考评 within a round.
    assert keys[:4] == [(r, k) for r in ROUNDS for k in ("自评", "考评")]  # later: what uploads added
    files = {**programme.workbooks, **programme.spare}
    for obj in got:
        workbook = files[code, obj["round"], obj["kind"]]
        cli = run("score", str(workbook), "--json")
        assert cli.returncode == 0, cli.stderr
        assert obj == json.loads(cli.stdout)


# --- login, sessions, throttling ------------------------------------------------------------


def test_a_wrong_password_gets_401_and_the_login_page_again(app):
    client = TestClient(app, base_url="http://testserver")
    response = client.post("/login", data={"username": "考评员", "password": "not-the-password"})
    assert response.status_code == 401
    assert 'name="username"' in response.text and "账号或密码错误" in response.text
    assert (
        "compliance_session" not in client.cookies or client.get("/api/rank?round=2019H1").status_code == 401
    )


def test_the_session_cookie_is_signed_httponly_and_samesite(app):
    client = TestClient(app, base_url="http://testserver")
    response = client.post(
        "/login", data={"username": "考评员", "password": PASSWORD["考评人员"]}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    value = client.cookies["compliance_session"]
    client.cookies.clear()
    client.cookies.set("compliance_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/api/rank?round=2019H1").status_code == 401  # a tampered cookie is no session


def test_logins_are_throttled_after_five_failures(app):
    client = TestClient(app, base_url="http://testserver")
    for _ in range(5):
        assert (
            client.post("/login", data={"username": "限流测试", "password": "wrong-wrong"}).status_code == 401
        )
    # The sixth attempt is refused without checking, even with the right password.
    right = {"username": "限流测试", "password": PASSWORD["考评人员"]}
    refused = client.post("/login", data=right)
    assert refused.status_code == 429 and "15 分钟" in refused.text
    events = app.state.web.accounts.events(20)
    assert [e.action for e in events if e.username == "限流测试"][:2] == ["登录受限", "登录"]


def test_every_login_and_logout_is_recorded(app):
    client = login(app, "局管理员", "管理员")
    client.post("/logout", follow_redirects=False)
    events = [e for e in app.state.web.accounts.events(50) if e.username == "局管理员"]
    assert events[0].action == "退出" and events[1].action == "登录" and events[1].ok
    assert events[1].remote == "testclient"


def test_a_password_reset_ends_the_sessions_made_before_it(programme):
    app = create_app(config(programme))
    try:
        with Store.open(str(programme.db)) as store:
            Accounts(store).add("临时", "考评人员", "first-password-1")
        client = TestClient(app, base_url="http://testserver")
        client.post("/login", data={"username": "临时", "password": "first-password-1"})
        assert client.get(f"/api/rank?round={R}").status_code == 200
        with Store.open(str(programme.db)) as store:
            Accounts(store).set_password("临时", "second-password-2")
        assert client.get(f"/api/rank?round={R}").status_code == 401
    finally:
        app.state.web.close()


# --- CSRF and Origin --------------------------------------------------------------------------


def _token(client: TestClient, url: str = "/upload") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def test_a_form_post_without_the_csrf_token_is_refused(app):
    client = login(app, "局管理员", "管理员")
    form = {
        "op": "add",
        "name": "无令牌",
        "role": "考评人员",
        "password": "abcdefgh1",
        "password2": "abcdefgh1",
    }
    assert client.post("/admin/users", data=form).status_code == 403
    assert client.post("/admin/users", data={**form, "csrf_token": "forged"}).status_code == 403
    assert app.state.web.accounts.get("无令牌") is None
    assert (
        client.post("/admin/users", data={**form, "csrf_token": _token(client, "/admin/users")}).status_code
        == 200
    )
    assert app.state.web.accounts.get("无令牌") is not None


def test_a_state_changing_request_from_another_origin_is_refused(app, programme):
    client = login(app, "考评员", "考评人员")
    token = _token(client)
    workbook = programme.spare[programme.own, "2020H1", "考评"]
    files = {"files": (workbook.name, workbook.read_bytes())}
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"referer": "http://evil.example/x"},
    ):
        response = client.post("/upload", data={"csrf_token": token}, files=files, headers=headers)
        assert response.status_code == 403, headers
    refused = client.post(
        "/login", data={"username": "考评员", "password": "x"}, headers={"origin": "http://evil.example"}
    )
    assert refused.status_code == 403
    with Store.open(str(programme.db)) as store:
        assert store.card(programme.own, "2020H1") is None
    # The app's own origin passes the check.
    same = client.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303


# --- uploads ----------------------------------------------------------------------------------


def test_upload_findings_name_the_cell_and_nothing_is_stored(app, programme, tmp_path):
    client = login(app, "考评员", "考评人员")
    good = programme.spare[programme.other, "2020H1", "考评"]
    broken, cell = broken_copy(programme.spare[programme.own, "2020H1", "考评"], tmp_path / "坏表.xlsx")
    not_a_workbook = tmp_path / "说明.xlsx"
    not_a_workbook.write_text("这不是工作簿", encoding="utf-8")
    with Store.open(str(programme.db)) as store:
        before = store.assessment_count()
    files = [("files", (p.name, p.read_bytes())) for p in (good, broken, not_a_workbook)]
    response = client.post("/upload", files=files, headers={"accept": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert body["stored"] is False and body["assessments"] == []
    findings = {f["file"]: f["findings"] for f in body["files"]}
    assert findings[good.name] == []
    [wrong] = [f for f in findings["坏表.xlsx"] if f["severity"] == "error"]
    assert wrong["cell"] == cell and wrong["where"] == f"坏表.xlsx!{cell}" and "好的" in wrong["message"]
    assert findings["说明.xlsx"] and findings["说明.xlsx"][0]["severity"] == "error"
    with Store.open(str(programme.db)) as store:
        assert store.assessment_count() == before
    # The page shows the same finding, located.
    page = client.post("/upload", data={"csrf_token": _token(client)}, files=files)
    assert page.status_code == 422 and cell in page.text and "未存入任何评估" in page.text


def test_a_clean_upload_is_stored_and_answered_like_import_json(app, programme):
    client = login(app, "考评员", "考评人员")
    workbook = programme.spare[programme.own, "2020H1", "自评"]
    response = client.post(
        "/upload",
        files=[("files", (workbook.name, workbook.read_bytes()))],
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    [stored] = response.json()["assessments"]
    assert stored["outcome"] == "stored" and stored["file"] == workbook.name
    cli = json.loads(run("score", str(workbook), "--json").stdout)
    assert {
        k: v for k, v in stored.items() if k not in ("file", "outcome", "assessment_id", "replaced_id")
    } == cli
    # Once more: the same file is skipped, not stored twice.
    again = client.post(
        "/upload",
        files=[("files", (workbook.name, workbook.read_bytes()))],
        headers={"accept": "application/json"},
    )
    assert again.json()["assessments"][0]["outcome"] == "skipped"
    uploads = [e for e in app.state.web.accounts.events(50) if e.action == "上传" and e.username == "考评员"]
    assert uploads[0].ok and workbook.name in uploads[0].detail and "已导入" in uploads[1].detail


def test_a_squad_may_upload_only_its_own_self_assessment(app, programme):
    client = login(app, "邻队", "中队")  # bound to programme.other
    audit = programme.spare[programme.other, "2020H1", "考评"]
    response = client.post(
        "/upload", files=[("files", (audit.name, audit.read_bytes()))], headers={"accept": "application/json"}
    )
    assert response.status_code == 422
    [finding] = response.json()["files"][0]["findings"]
    assert "只能上传本单位" in finding["message"] and finding["cell"] == "基本信息"
    with Store.open(str(programme.db)) as store:
        assert store.card(programme.other, "2020H1", "考评") is None


def test_an_upload_over_the_size_limit_is_refused_with_413(programme):
    small = create_app(config(programme, max_upload_bytes=50_000))
    try:
        client = login(small, "考评员", "考评人员")
        workbook = programme.spare[programme.own, "2020H1", "考评"]
        big = workbook.read_bytes() + b"\0" * 60_000
        response = client.post(
            "/upload", files=[("files", ("大.xlsx", big))], headers={"accept": "application/json"}
        )
        assert response.status_code == 413 and "MB" in response.text
    finally:
        small.state.web.close()


def test_anonymous_uploads_get_401(app, programme):
    client = TestClient(app, base_url="http://testserver")
    workbook = programme.spare[programme.own, "2020H1", "考评"]
    files = [("files", (workbook.name, workbook.read_bytes()))]
    assert client.post("/upload", files=files, headers={"accept": "application/json"}).status_code == 401
    assert client.post("/upload", files=files).status_code == 401


# --- the CLI commands ---------------------------------------------------------------------------


def test_user_add_refuses_a_squad_without_a_unit_and_a_short_password(programme):
    no_unit = run(
        "user",
        "add",
        "x",
        "--role",
        "中队",
        "--db",
        str(programme.db),
        "--password-stdin",
        stdin="abcdefgh1\n",
    )
    assert no_unit.returncode == 2 and "--unit" in no_unit.stderr
    short = run(
        "user",
        "add",
        "y",
        "--role",
        "考评人员",
        "--db",
        str(programme.db),
        "--password-stdin",
        stdin="short\n",
    )
    assert short.returncode == 1 and "至少 8 个" in short.stderr
    taken = run(
        "user",
        "add",
        "考评员",
        "--role",
        "考评人员",
        "--db",
        str(programme.db),
        "--password-stdin",
        stdin="abcdefgh1\n",
    )
    assert taken.returncode == 1 and "已存在" in taken.stderr
    assert "Traceback" not in no_unit.stderr + short.stderr + taken.stderr


def test_passwords_are_stored_as_argon2_hashes(programme):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{programme.db}")
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM users")).scalars().all()
    engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORD.values())


def test_too_many_files_are_refused_in_chinese(programme):
    few = create_app(config(programme, max_files=2))
    try:
        client = login(few, "考评员", "考评人员")
        workbook = programme.spare[programme.own, "2020H1", "考评"]
        files = [("files", (f"{n}.xlsx", workbook.read_bytes())) for n in range(3)]
        response = client.post("/upload", files=files, headers={"accept": "application/json"})
        assert response.status_code == 400 and response.json() == {
            "error": "一次上传的文件过多：至多 2 个，请分批上传"
        }
    finally:
        few.state.web.close()


def test_pages_load_nothing_from_outside(programme, clients):
    """Intranets have no internet: every script, style and image comes from the app."""
    admin = clients["admin"]
    for url in ("/", f"/rounds/{R}", "/progress", f"/units/{programme.own}", "/upload", "/login"):
        html = admin.get(url).text
        assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == [], url
        assert "<script" not in html and "style=" not in html  # the CSP allows neither inline
    css = clients["anonymous"].get("/static/app.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    policy = admin.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_a_report_without_a_kind_is_the_audit(programme, clients):
    default = clients["inspector"].get(f"/reports/{R}/{programme.own}.pdf")
    audit = clients["inspector"].get(f"/reports/{R}/{programme.own}.pdf?kind=考评")
    assert default.headers["content-disposition"] == audit.headers["content-disposition"]
    assert (
        "考评" in audit.headers["content-disposition"]
        or "%E8%80%83%E8%AF%84" in audit.headers["content-disposition"]
    )


def test_an_account_disabled_by_the_admin_can_no_longer_log_in(app, programme):
    admin = login(app, "局管理员", "管理员")
    token = _token(admin, "/admin/users")
    form = {"op": "add", "name": "将停用", "role": "中队", "unit": programme.own, "csrf_token": token}
    assert (
        admin.post(
            "/admin/users", data={**form, "password": "abcdefgh1", "password2": "abcdefgh1"}
        ).status_code
        == 200
    )
    squad = TestClient(app, base_url="http://testserver")
    assert (
        squad.post(
            "/login", data={"username": "将停用", "password": "abcdefgh1"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert squad.get(f"/api/units/{programme.own}/assessments").status_code == 200
    page = admin.post("/admin/users", data={"op": "disable", "name": "将停用", "csrf_token": token})
    assert "已停用账号“将停用”" in page.text
    assert squad.get(f"/api/units/{programme.own}/assessments").status_code == 401  # the session ends at once
    assert squad.post("/login", data={"username": "将停用", "password": "abcdefgh1"}).status_code == 401
    refused = admin.post("/admin/users", data={"op": "disable", "name": "局管理员", "csrf_token": token})
    assert refused.status_code == 400 and "不能停用自己的账号" in refused.text


def test_user_passwd_and_list_from_the_command_line(programme):
    made = run(
        "user",
        "add",
        "命令行",
        "--role",
        "考评人员",
        "--db",
        str(programme.db),
        "--password-stdin",
        stdin="old-password-1\n",
    )
    assert made.returncode == 0, made.stderr
    changed = run(
        "user", "passwd", "命令行", "--db", str(programme.db), "--password-stdin", stdin="new-password-2\n"
    )
    assert changed.returncode == 0, changed.stderr
    with Store.open(str(programme.db)) as store:
        accounts = Accounts(store)
        assert accounts.check_password("命令行", "old-password-1") is None
        assert accounts.check_password("命令行", "new-password-2").name == "命令行"
    listed = run("user", "list", "--db", str(programme.db))
    assert ["命令行", "考评人员", "—", "启用"] in [line.split() for line in listed.stdout.splitlines()]
    missing = run(
        "user", "passwd", "没有这人", "--db", str(programme.db), "--password-stdin", stdin="new-password-2\n"
    )
    assert missing.returncode == 1 and "没有账号" in missing.stderr


def test_serve_says_in_chinese_that_its_port_is_taken(programme):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--db", str(programme.db), "--port", str(port))
    assert result.returncode == 1 and f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr
