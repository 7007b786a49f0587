"""monitoring/: promtool (config, rules, unit tests of every alert), amtool, the Grafana dashboard, Filebeat's
JSON parsing of the app's real log lines, and logrotate on LOG_DIR with the app still writing."""

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import REGISTRY

import mnp_chatbot.main  # noqa: F401  (registers every metric the app exports)
from mnp_chatbot.core.logging import configure_logging, get_logger
from tests.deploy.tools import REPO, run, system_tool

MONITORING = REPO / "monitoring"
RULES = sorted((MONITORING / "rules").glob("*.yml"))
RULE_TESTS = sorted((MONITORING / "tests").glob("*.test.yml"))
# Exporters' metrics (prometheus.yml scrapes them): Prometheus's own `up`, postgres, redis, nginx, node,
# blackbox.
EXPORTER_METRIC = re.compile(r"^(up|pg_\w+|redis_\w+|nginx_\w+|node_\w+|probe_\w+)$")
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool"}


def app_metric_names() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
            "summary": ("_count", "_sum"),
        }
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    found = set()
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name in PROMQL_WORDS or re.fullmatch(r"\d+[smhdwy]", name):
            continue
        found.add(name)
    return found


def alert_rules() -> list[dict[str, Any]]:
    rules = []
    for path in RULES:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            rules += [rule for rule in group["rules"] if "alert" in rule]
    return rules


def test_promtool_checks_the_config_and_the_rules() -> None:
    promtool = system_tool("promtool", "prometheus")
    assert "SUCCESS" in run(promtool, "check", "config", "prometheus.yml", cwd=MONITORING)
    output = run(promtool, "check", "rules", *map(str, RULES))
    found = [int(count) for count in re.findall(r"SUCCESS: (\d+) rules found", output)]
    assert len(found) == len(RULES)
    assert sum(found) == len(alert_rules())


def test_promtool_unit_tests_pass() -> None:
    promtool = system_tool("promtool", "prometheus")
    output = run(promtool, "test", "rules", *map(str, RULE_TESTS))
    assert "SUCCESS" in output
    assert "FAILED" not in output


def test_promtool_unit_tests_can_fail(tmp_path: Path) -> None:
    promtool = system_tool("promtool", "prometheus")
    for rule_file in RULES:
        shutil.copy(rule_file, tmp_path / rule_file.name)
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for rule_file in RULES:
        text = rule_file.read_text(encoding="utf-8").replace("> 0.05", "> 0.5")  # a 50% threshold
        (rules_dir / rule_file.name).write_text(text, encoding="utf-8")
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    for test_file in RULE_TESTS:
        shutil.copy(test_file, tests_dir / test_file.name)
    done = subprocess.run(
        [promtool, "test", "rules", *(str(tests_dir / path.name) for path in RULE_TESTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "HighErrorRate" in done.stdout + done.stderr


def test_every_alert_has_a_unit_test_that_expects_it_to_fire() -> None:
    fired: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    fired.add(check["alertname"])
    alerts = {rule["alert"] for rule in alert_rules()}
    assert alerts - fired == set()
    required = {
        "HighErrorRate",
        "HighLatencyP95",
        "DatabaseDown",
        "RedisDown",
        "AppMemoryHigh",
        "LLMFailures",
    }
    required |= {"CertificateExpiresSoon", "DiskSpaceLow"}
    assert required <= alerts


def test_alerts_and_dashboard_read_only_metrics_that_exist() -> None:
    exported = app_metric_names()
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "llm_failures_total"} <= exported
    expressions = [rule["expr"] for rule in alert_rules()]
    dashboard = json.loads((MONITORING / "grafana/mnp-chatbot.json").read_text(encoding="utf-8"))
    expressions += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    unknown = {
        name
        for expr in expressions
        for name in metric_names(expr)
        if name not in exported and not EXPORTER_METRIC.match(name)
    }
    assert unknown == set()
    assert metric_names('sum by (le) (rate(foo_bucket{a="b"}[5m])) / bar') == {"foo_bucket", "bar"}


def test_dashboard_covers_traffic_errors_latency_modes_handoffs_and_llm() -> None:
    dashboard = json.loads((MONITORING / "grafana/mnp-chatbot.json").read_text(encoding="utf-8"))
    assert dashboard["uid"] == "mnp-chatbot"
    titles = " ".join(panel["title"] for panel in dashboard["panels"]).lower()
    for topic in ("requests", "5xx", "latency", "answer mode", "hand-off", "llm"):
        assert topic in titles, topic
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_amtool_checks_the_alertmanager_config(tmp_path: Path) -> None:
    amtool = system_tool("amtool", "prometheus-alertmanager")
    output = run(amtool, "check-config", "alertmanager/alertmanager.yml", cwd=MONITORING)
    assert "SUCCESS" in output
    broken = tmp_path / "broken.yml"
    text = (MONITORING / "alertmanager/alertmanager.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("receiver: team\n", "receiver: nobody\n", 1), encoding="utf-8")
    assert "FAILED" in run(amtool, "check-config", str(broken), check=False)


def _app_log_lines(log_dir: Path) -> list[str]:
    configure_logging("info", log_dir)
    try:
        get_logger("tests.deploy").info("chat.reply", route="/api/chat", status=200, request_id="r-1")
    finally:
        configure_logging("info", None)
    return (log_dir / "app.log").read_text(encoding="utf-8").splitlines()


def test_filebeat_parses_the_apps_json_log_lines(tmp_path: Path) -> None:
    config = yaml.safe_load((MONITORING / "filebeat/filebeat.yml").read_text(encoding="utf-8"))
    (source,) = config["filebeat.inputs"]
    assert source["type"] == "filestream"
    assert source["paths"] == ["/var/log/mnp-chatbot/*.log", "/var/log/mnp-chatbot/*/*.log"]
    (parser,) = source["parsers"]
    assert parser["ndjson"]["target"] == ""
    assert parser["ndjson"]["add_error_key"] is True
    (timestamp,) = [p["timestamp"] for p in config["processors"] if "timestamp" in p]
    # The app's own lines are what the ndjson parser and the timestamp processor get.
    line = json.loads(_app_log_lines(tmp_path)[-1])
    assert line["event"] == "chat.reply"
    assert line["status"] == 200
    assert line["request_id"] == "r-1"
    assert timestamp["field"] in line
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", line[timestamp["field"]])


def test_logrotate_rotates_log_dir_while_the_app_keeps_writing(tmp_path: Path) -> None:
    logrotate = system_tool("logrotate", "logrotate")
    shipped = (MONITORING / "logrotate/mnp-chatbot").read_text(encoding="utf-8")
    log_dir = tmp_path / "logs"
    config = tmp_path / "logrotate.conf"
    # Same rules, on a temporary LOG_DIR, as the user running the test.
    local = shipped.replace("/var/log/mnp-chatbot", str(log_dir))
    local = re.sub(r"\n\s*(su|create) [^\n]*", "", local)
    config.write_text(local, encoding="utf-8")
    state = tmp_path / "state"
    assert "error" not in run(logrotate, "-d", "-s", str(state), str(config)).lower()
    configure_logging("info", log_dir)
    log = get_logger("tests.deploy")
    try:
        log.info("before.rotation")
        run(logrotate, "-f", "-s", str(state), str(config))
        log.info("after.rotation")
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        configure_logging("info", None)
    rotated = [path for path in log_dir.iterdir() if path.name.startswith("app.log-")]
    assert len(rotated) == 1
    assert "before.rotation" in rotated[0].read_text(encoding="utf-8")
    current = (log_dir / "app.log").read_text(encoding="utf-8")
    assert "after.rotation" in current
    assert "before.rotation" not in current


def test_prometheus_scrapes_the_exporters_the_alerts_need() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert {"mnp-chatbot", "postgres", "redis", "nginx", "node", "blackbox-https"} <= jobs
    for rule in alert_rules():
        for job in re.findall(r'job="([^"]+)"', rule["expr"]):
            assert job in jobs, (rule["alert"], job)
