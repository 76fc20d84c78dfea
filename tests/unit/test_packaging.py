"""The collection as users get it: the built artifact installs and resolves, the execution
environment's build context is made from it, the changelog lints."""

import json
import os
import re
import shutil
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def run(*cmd, cwd=TOP, env=None):
    proc = subprocess.run(list(cmd), cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def version():
    with open(os.path.join(TOP, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["version"]


def build(out):
    run(os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out))
    artifact = out / ("cloud_design-platform-%s.tar.gz" % version())
    assert artifact.is_file()
    return artifact


def test_the_artifact_installs_and_holds_what_users_run(tmp_path):
    artifact = build(tmp_path / "build")
    names = run("tar", "-tzf", str(artifact)).stdout.split()
    for wanted in ("playbooks/site.yml", "playbooks/verify.yml", "playbooks/destroy.yml", "playbooks/templates/verify_report.md.j2",
                   "roles/network/meta/argument_specs.yml", "plugins/modules/platform_info.py", "meta/runtime.yml", "MANIFEST.json"):
        assert wanted in names, wanted
    # nothing of the checkout's own machinery
    assert not [n for n in names if n.startswith((".venv", ".collections", ".endpoint", "tests/output", "reports/", "ee/"))]
    dest = tmp_path / "collections"
    run(os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "--force", "-p", str(dest), str(artifact))
    installed = dest / "ansible_collections" / "cloud_design" / "platform"
    assert (installed / "playbooks" / "site.yml").is_file()
    (tmp_path / "ansible.cfg").write_text("[defaults]\ncollections_path = %s\n" % dest)
    doc = json.loads(run(os.path.join(BIN, "ansible-doc"), "-j", "cloud_design.platform.platform_info", cwd=str(tmp_path),
                         env={"ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg")}).stdout)["cloud_design.platform.platform_info"]["doc"]
    assert doc["short_description"] == "Discover a deployed cloud_design platform in one call"
    assert doc["filename"].startswith(str(installed))  # the installed copy, not the checkout


def test_an_execution_environment_takes_the_runtime_needs_only(tmp_path):
    """ansible-builder introspect, as it reads the installed artifact when it builds an execution environment: the
    collection's Python needs are what its modules import (meta/execution-environment.yml), not the checkout's
    development lock (requirements.txt: moto, linters, test tools)."""
    artifact = build(tmp_path / "build")
    dest = tmp_path / "collections"
    run(os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "--force", "-p", str(dest), str(artifact))
    found = yaml.safe_load(run(os.path.join(BIN, "ansible-builder"), "introspect", str(dest)).stdout)
    ours = sorted(line.split("#")[0].strip() for line in found["python"] if "from collection cloud_design.platform" in line)
    assert ours == ["boto3>=1.34.0", "botocore>=1.34.0"], ours
    assert not [line for line in found.get("system") or [] if "cloud_design.platform" in line]


def test_the_execution_environment_context_is_made_from_the_artifact(tmp_path):
    shutil.copy(os.path.join(TOP, "execution-environment.yml"), tmp_path)
    shutil.copytree(os.path.join(TOP, "ee"), tmp_path / "ee")
    shutil.copytree(os.path.join(TOP, "meta"), tmp_path / "meta")
    artifact = build(tmp_path / "build")
    with open(tmp_path / "ee" / "requirements.yml", encoding="utf-8") as handle:
        wanted = [c["name"] for c in yaml.safe_load(handle)["collections"] if c.get("type") == "file"]
    assert wanted == ["collections/" + artifact.name], "ee/requirements.yml must name the artifact of galaxy.yml's version"
    run(os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context", "--output-filename", "Containerfile",
        cwd=str(tmp_path))
    context = tmp_path / "context"
    assert (context / "_build" / "collections" / artifact.name).is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile and "ansible-core==2.21.5" in containerfile
    assert "boto3" in (context / "_build" / "requirements.txt").read_text()


def test_the_changelog_fragments_lint():
    proc = run(os.path.join(BIN, "antsibull-changelog"), "lint")
    assert proc.stdout.strip() == "", proc.stdout


# galaxy-importer, the check Galaxy and Automation Hub run on every upload. It pins ansible-lint and attrs below the
# development lock, so it runs from a virtual environment of its own (as make scan's Prowler does), with the lock's
# ansible package: ansible-doc needs amazon.aws and community.aws beside the collection, as on Galaxy.
GALAXY_IMPORTER = "galaxy-importer==0.4.44"


def locked(name):
    with open(os.path.join(TOP, "requirements.txt"), encoding="utf-8") as handle:
        return next(line.strip() for line in handle if line.lower().startswith(name + "=="))


def test_galaxy_importer_accepts_the_artifact(tmp_path):
    """The importer as Galaxy runs it (ansible-doc on every plugin, ansible-lint on the collection; ansible-test needs a
    container engine and is left out) on the built artifact: no error, no warning, and documentation for every module
    and every filter."""
    artifact = build(tmp_path / "build")
    venv = tmp_path / "importer"
    run(sys.executable, "-m", "venv", str(venv))
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", GALAXY_IMPORTER, locked("ansible"))
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text("[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nRUN_ANSIBLE_DOC = True\n")
    proc = run(str(venv / "bin" / "python"), "-m", "galaxy_importer.main", "--print-result", str(artifact), cwd=str(tmp_path),
               env={"GALAXY_IMPORTER_CONFIG": str(config), "PATH": "%s:%s" % (venv / "bin", os.environ["PATH"])})
    log, _brace, printed = proc.stdout.partition("\n{")
    assert "Importer processing completed successfully" in log, log[-3000:]
    problems = [line for line in (log + proc.stderr).splitlines() if re.search(r"\b(ERROR|WARNING|Missing documentation)\b", line)]
    assert not problems, problems
    contents = json.loads("{" + printed)["docs_blob"]["contents"]
    documented = {(c["content_type"], c["content_name"]) for c in contents if (c.get("doc_strings") or {}).get("doc")}
    modules = [name[:-3] for name in os.listdir(os.path.join(TOP, "plugins", "modules")) if name.endswith(".py") and name != "__init__.py"]
    filters = [name[:-4] for name in os.listdir(os.path.join(TOP, "plugins", "filter")) if name.endswith(".yml")]
    assert len(modules) > 30 and len(filters) > 10
    assert not [m for m in modules if ("module", m) not in documented], sorted(documented)
    assert not [f for f in filters if ("filter", f) not in documented], sorted(documented)
