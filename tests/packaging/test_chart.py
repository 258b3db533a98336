"""The Helm chart: lint, render and offline schema validation for every values case, plus what
each case must produce (stateless with several replicas, probes, security context, ...)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import CASES, CHART, VALUES, run, tool

# The chart's kubeVersion floor and the newest schema kubernetes-validate ships.
KUBE_VERSIONS = ["1.25.0", "1.37.0"]


def kinds(docs: list[dict]) -> dict[str, dict]:
    return {d["kind"]: d for d in docs}


def container(docs: list[dict]) -> dict:
    return kinds(docs)["Deployment"]["spec"]["template"]["spec"]["containers"][0]


def env_of(docs: list[dict]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container(docs)["env"]}


@pytest.mark.parametrize("case", [None, *CASES])
def test_lint_strict(helm: str, case: str | None) -> None:
    cmd = [helm, "lint", "--strict", str(CHART)]
    if case:
        cmd += ["--values", str(VALUES / f"{case}.yaml")]
    p = run(cmd)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("case", CASES)
def test_renders_and_validates_strictly(render, case: str) -> None:
    code, docs, err = render(case)
    assert code == 0, err
    validate = tool("kubernetes-validate")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"{case}.yaml"
        path.write_text(yaml.safe_dump_all(docs))
        for version in KUBE_VERSIONS:
            p = run([validate, "--strict", "--quiet", "-k", version, str(path)])
            assert p.returncode == 0, f"kubernetes {version}:\n{p.stdout}{p.stderr}"


def test_default_case(render) -> None:
    code, docs, err = render("default")
    assert code == 0, err
    k = kinds(docs)
    assert set(k) == {"Deployment", "Service", "Secret", "ServiceAccount"}
    dep = k["Deployment"]["spec"]
    pod = dep["template"]["spec"]
    c = container(docs)
    env = env_of(docs)
    assert dep["replicas"] == 1
    assert "STATELESS" not in env, "one replica keeps sessions"
    assert env["TRANSPORT"] == "streamable-http" and env["HOST"] == "0.0.0.0" and env["PORT"] == "8000"
    assert env["ALLOW_GLOBAL_CRED_FALLBACK"] == "false"
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert pod["terminationGracePeriodSeconds"] > 30, "above the server's 30 s drain"
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["runAsNonRoot"] is True
    assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
    assert sc["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    # The private Unix socket of the HTTP transport needs a writable /tmp on a read-only root.
    assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
    assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"]
    assert c["envFrom"] == [{"secretRef": {"name": "rel-mcp-atlassian"}}]
    data = k["Secret"]["stringData"]
    assert data["JIRA_URL"] == "https://example.atlassian.net"
    assert data["CONFLUENCE_API_TOKEN"] == "test-api-token"
    assert set(data) == {"JIRA_URL", "JIRA_USERNAME", "JIRA_API_TOKEN", "CONFLUENCE_URL",
                         "CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN"}
    assert "checksum/secret" in dep["template"]["metadata"]["annotations"]
    assert k["Service"]["spec"]["ports"][0]["port"] == 8000


def test_chart_defaults_render_without_credentials(render) -> None:
    code, docs, err = render(None)
    assert code == 0, err
    assert kinds(docs)["Secret"]["stringData"] == {}


@pytest.mark.parametrize("case", ["multi-replica", "autoscaling"])
def test_several_replicas_are_stateless_with_a_pdb(render, case: str) -> None:
    code, docs, err = render(case)
    assert code == 0, err
    k = kinds(docs)
    assert env_of(docs)["STATELESS"] == "true"
    assert k["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    if case == "autoscaling":
        assert "replicas" not in k["Deployment"]["spec"], "the HPA owns the replica count"
        metrics = {m["resource"]["name"] for m in k["HorizontalPodAutoscaler"]["spec"]["metrics"]}
        assert metrics == {"cpu", "memory"}
    else:
        assert k["Deployment"]["spec"]["replicas"] == 3


def test_existing_secret_renders_no_secret(render) -> None:
    code, docs, err = render("existing-secret")
    assert code == 0, err
    k = kinds(docs)
    assert "Secret" not in k
    c = container(docs)
    assert c["envFrom"] == [{"secretRef": {"name": "atlassian-credentials"}}]
    assert env_of(docs)["READ_ONLY_MODE"] == "true"
    assert {"name": "corporate-ca", "mountPath": "/etc/mcp-atlassian/ca", "readOnly": True} in c["volumeMounts"]
    assert "checksum/secret" not in (k["Deployment"]["spec"]["template"]["metadata"]["annotations"] or {})


def test_ingress_sse_network_policy_and_token_store(render) -> None:
    code, docs, err = render("ingress")
    assert code == 0, err
    k = kinds(docs)
    ing = k["Ingress"]["spec"]
    assert ing["ingressClassName"] == "nginx"
    assert ing["tls"] == [{"hosts": ["mcp.example.com"], "secretName": "mcp-example-tls"}]
    backend = ing["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "rel-mcp-atlassian", "port": {"name": "http"}}
    assert env_of(docs)["TRANSPORT"] == "sse" and "STATELESS" not in env_of(docs)
    np = k["NetworkPolicy"]["spec"]
    assert np["policyTypes"] == ["Ingress", "Egress"]
    assert {"port": 53, "protocol": "UDP"} in np["egress"][0]["ports"]
    pvc = k["PersistentVolumeClaim"]
    assert pvc["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert {"name": "token-store", "mountPath": "/home/mcp/.mcp-atlassian"} in container(docs)["volumeMounts"]


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["transport=sse", "replicaCount=2"], "several replicas keep MCP sessions"),
        (["transport=sse", "stateless=true"], "works with transport streamable-http only"),
        (["replicaCount=2", "stateless=false"], "several replicas keep MCP sessions"),
        (["replicaCount=2", "tokenStore.enabled=true"], "ReadWriteOnce"),
        (["stateless=maybe"], "stateless"),
        (["terminationGracePeriodSeconds=20"], "terminationGracePeriodSeconds"),
        (["transport=stdio"], "transport"),
        (["secret.jiraTokn=x"], "jiraTokn"),
    ],
)
def test_refuses_what_cannot_work(render, sets: list[str], message: str) -> None:
    code, _, err = render("default", *sets)
    assert code != 0 and message in err, err


def test_sticky_sessions_allow_several_stateful_replicas(render) -> None:
    code, docs, err = render("default", "replicaCount=2", "stateless=false", "service.sessionAffinity=ClientIP")
    assert code == 0, err
    assert "STATELESS" not in env_of(docs)


def leaf_keys(node: object, prefix: str = "") -> list[str]:
    if isinstance(node, dict) and node:
        out = []
        for k, v in node.items():
            out += leaf_keys(v, f"{prefix}.{k}" if prefix else k)
        return out
    return [prefix]


def test_every_value_is_documented_and_in_the_schema() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    readme = (CHART / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Za-z0-9_.\[\]]+)` \|", readme, re.M))
    # Probe and security-context sub-keys are documented through their parent.
    skip = ("livenessProbe.", "readinessProbe.", "podSecurityContext.", "securityContext.",
            "resources.", "ingress.hosts", "tokenStore.accessModes")
    missing = [k for k in leaf_keys(values) if k not in documented and not k.startswith(skip)]
    assert not missing, f"helm/README.md lacks a row for: {missing}"
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    assert set(values) <= set(schema["properties"]), set(values) - set(schema["properties"])
