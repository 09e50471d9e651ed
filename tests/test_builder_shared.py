"""The small shared pieces every output uses: URLs, data version, reading marks."""
import datetime as dt
import shutil

from builder import urls, version
from policy import readings
from policy.params import Reference, Value

REF = Reference(source="plan2020")


def test_village_and_complaint_urls_follow_interfaces(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://a.example/")
    monkeypatch.setenv("FORMS_URL", "https://f.example")
    assert urls.village_url("zixi", "hecheng", "xinyue") == "https://a.example/zixi/villages/hecheng/xinyue/"
    assert urls.complaint_url("zixi") == "https://f.example/zixi/complaint"
    assert (urls.complaint_url("zixi", village="xinyue", category="deposit_charged")
            == "https://f.example/zixi/complaint?village=xinyue&category=deposit_charged")
    assert urls.track_url("jixian") == "https://f.example/jixian/track"


def test_data_version_changes_with_any_policy_file(tmp_path):
    src = tmp_path / "j"
    shutil.copytree("policy_data/zixi", src)
    before = version.data_version(src)
    assert before == version.data_version(src) and len(before) == 12
    layers = src / "layers.yaml"
    layers.write_text(layers.read_text(encoding="utf-8") + "\n# 改了一行注释\n", encoding="utf-8")
    assert version.data_version(src) != before


def test_last_changed_without_git_history_is_the_newest_file_date(tmp_path):
    import os
    (tmp_path / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("b: 1\n", encoding="utf-8")
    stamp = dt.datetime(2021, 3, 4, 12).timestamp()
    os.utime(tmp_path / "a.yaml", (stamp, stamp))
    os.utime(tmp_path / "b.yaml", (stamp - 86400 * 30, stamp - 86400 * 30))
    assert version.last_changed(tmp_path) == dt.date(2021, 3, 4)


def test_reading_marks():
    official = Value(start=dt.date(2020, 1, 1), value=1, reference=REF, illustrative=False)
    sample = Value(start=dt.date(2020, 1, 1), value=1, reference=REF, illustrative=True)
    assert readings.label(official) == ""
    assert readings.label(sample) == "示例数字"
    assert readings.LABELS["interpreted"] == "按本县理解"
