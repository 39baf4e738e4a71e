"""The web app's accounts and audit log on both backends (SQLite and PostgreSQL), and the
app itself on each: log in, read the fixed API, be throttled, with the same answers."""

from __future__ import annotations

import datetime as dt

import conftest_store
import pytest
from conftest_store import make, mini_rubric, put
from starlette.testclient import TestClient

from compliance.findings import ComplianceError
from compliance.scoring import Kind, rank, rank_json
from compliance.store import Store
from compliance.store.accounts import Accounts, Action, Role
from compliance.web.app import create_app
from compliance.web.config import WebConfig

store_url = conftest_store.store_url


def test_accounts_are_kept_hashed_and_checked(store_url):
    with Store.open(store_url) as store:
        accounts = Accounts(store)
        made = accounts.add(" 张三 ", Role.INSPECTOR, "long-enough-1")
        assert made.name == "张三" and made.role is Role.INSPECTOR and made.active
        assert accounts.check_password("张三", "long-enough-1") == accounts.get("张三")
        assert accounts.check_password("张三", "wrong-password") is None
        assert accounts.check_password("李四", "long-enough-1") is None
        with pytest.raises(ComplianceError, match="已存在"):
            accounts.add("张三", Role.ADMIN, "long-enough-2")
        with pytest.raises(ComplianceError, match="必须指定所属单位"):
            accounts.add("中队甲", Role.SQUAD, "long-enough-3")
        with pytest.raises(ComplianceError, match="至少 8 个"):
            accounts.add("王五", Role.ADMIN, "short")
        before = accounts.get("张三").stamp
        accounts.set_password("张三", "another-one-2")
        assert accounts.get("张三").stamp != before
        accounts.set_active("张三", False)
        assert accounts.check_password("张三", "another-one-2") is None
        assert accounts.count(Role.INSPECTOR) == 0 and accounts.count() == 1


def test_failed_logins_are_counted_since_the_last_success(store_url):
    with Store.open(store_url) as store:
        accounts = Accounts(store)
        window = dt.timedelta(minutes=15)
        for _ in range(3):
            accounts.record(Action.LOGIN, "张三", ok=False, remote="10.0.0.1")
        accounts.record(Action.LOGIN, "李四", ok=False, remote="10.0.0.2")
        assert accounts.failures("张三", "10.0.0.1", within=window) == (3, 3)
        accounts.record(Action.LOGIN, "张三", ok=True, remote="10.0.0.1")
        accounts.record(Action.LOGIN, "张三", ok=False, remote="10.0.0.1")
        # 1 failure since the success; the address keeps all 4 of its failures.
        assert accounts.failures("张三", "10.0.0.1", within=window) == (1, 4)
        assert [e.action for e in accounts.events(2)] == ["登录", "登录"]


def test_the_session_secret_is_made_once_and_shared(store_url):
    with Store.open(store_url) as store:
        first = Accounts(store).setting("web.session_secret", "a")
        second = Accounts(store).setting("web.session_secret", "b")
    assert first == second == "a"


def test_the_app_serves_the_same_ranking_on_either_backend(store_url):
    rubric = mini_rubric()
    with Store.open(store_url) as store:
        for code, seed in (("320602001", 1), ("320602002", 2), ("320602003", 3)):
            put(store, rubric, *make(rubric, unit_code=code, round="2019", seed=seed, name=f"中队{code[-1]}"))
        Accounts(store).add("局长", Role.ADMIN, "admin-password-1")
        expected = rank_json(rank(store.cards("2019", Kind.AUDIT)))
    app = create_app(WebConfig(db=store_url))
    try:
        client = TestClient(app, base_url="http://testserver")
        assert client.get("/api/rank?round=2019").status_code == 401
        assert client.post("/login", data={"username": "局长", "password": "nope-nope"}).status_code == 401
        logged = client.post(
            "/login",
            data={"username": "局长", "password": "admin-password-1"},
            headers={"accept": "application/json"},
        )
        assert logged.json() == {"user": "局长", "role": "管理员", "unit": None}
        assert client.get("/api/rank?round=2019").json() == expected
        assert client.get("/api/rank?round=2099").status_code == 404
        assert client.get("/api/rank?round=2019&kind=评分").status_code == 400
        assert client.get("/").status_code == 200
        events = app.state.web.accounts.events(5)
        assert [(e.action, e.ok) for e in events][:2] == [("登录", True), ("登录", False)]
    finally:
        app.state.web.close()
