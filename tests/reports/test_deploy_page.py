"""docs/deploy.md's generated block says what the committed deployment run and the emitters' record say."""
from __future__ import annotations

import json

from reports import deploy_page
from reports.sections.serving import deployment_rows, exported
from tests.reports.helpers import REPO

SPEED = REPO / "reports" / "results" / "cpu-intel-xeon-2core-deploy" / "results.json"
RUN = REPO / "reports" / "results" / "cpu-intel-xeon-2core-deploy-accuracy" / "results.json"
RECORD = REPO / "reports" / "results" / "port-emitters" / "verification.json"


def test_deploy_doc_agrees_with_the_committed_records():
    assert deploy_page.main([str(SPEED), str(RUN), "--verification", str(RECORD), "--write",
                             str(REPO / "docs" / "deploy.md"), "--check"]) == 0


def test_the_deployed_backend_is_found_from_backend_info_and_loses_nothing_on_any_seed():
    run = deploy_page._Run(json.loads(RUN.read_text()))
    assert exported(run) == ["onnxruntime"]
    rows = [r for r in deployment_rows([run]) if r["trainer"] == "librosa" and r["preset"] == "matched"]
    assert len(rows) >= 3 and {r["seed"] for r in rows} == set(range(len(rows)))
    assert all(r["change_pp"] == 0.0 for r in rows), rows


def test_block_is_replaced_between_its_markers(tmp_path):
    doc = tmp_path / "deploy.md"
    doc.write_text(f"head\n{deploy_page.BEGIN}\nold\n{deploy_page.END}\ntail\n", encoding="utf-8")
    assert deploy_page.rewrite(doc, f"{deploy_page.BEGIN}\nnew\n{deploy_page.END}") == \
        f"head\n{deploy_page.BEGIN}\nnew\n{deploy_page.END}\ntail\n"
