#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps the way the runner does, for tests on a machine without one.

usage: run_action.py ACTION_YML INPUTS_JSON WORKSPACE TEMP
       run_action.py --check-workflow WORKFLOW_YML ACTION_YML
Reads ACTION_YML (PyYAML), maps INPUTS_JSON over the inputs' defaults, and runs each `run:` step in
order with bash (`bash --noprofile --norc -eo pipefail FILE`, as `shell: bash` does) in WORKSPACE,
with its `env:` evaluated, fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and GITHUB_ACTION_PATH,
RUNNER_TEMP (TEMP) and GITHUB_WORKSPACE set. `uses:` steps are not run: their evaluated `with:` is
reported. `${{ }}` is evaluated only where GitHub evaluates it for a composite action (env, with,
if, outputs); a `run:` body holding one is refused, as a script-injection hole. Prints one JSON
object: each step (ran, condition, exit code, outputs, with), the action's outputs, the job's
summary and log, and whether the job failed.
--check-workflow reads a workflow that uses the action (as ./.github/actions/backstop): each use
passes only inputs the action declares, a `step` it knows and a service to verify; each
steps.ID.outputs.NAME read is an output of the action; no `run:` body holds ${{ }}.
"""
import json
import os
import re
import subprocess
import sys

import yaml

STATUS_FUNCTIONS = ("always()", "success()", "failure()", "cancelled()")


class ActionError(Exception):
    """The action uses something this runner does not do as GitHub does; the test must fail."""


class Expression:
    """GitHub's expression syntax, the part composite actions use: contexts inputs.X and
    steps.ID.outputs.X / steps.ID.outcome, 'strings', !, ==, !=, &&, ||, parentheses, and the
    status functions."""

    TOKEN = re.compile(r"\s*(?:(&&|\|\||==|!=|!|\(|\))|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.\-]*(?:\(\))?))")

    def __init__(self, text, context):
        self.tokens = self.tokenize(text)
        self.context = context
        self.pos = 0

    def tokenize(self, text):
        tokens, pos = [], 0
        while pos < len(text.rstrip()):
            m = self.TOKEN.match(text, pos)
            if not m:
                raise ActionError(f"cannot read expression {text!r} at {pos}")
            op, string, name = m.groups()
            tokens.append(("op", op) if op else ("str", string.replace("''", "'")) if string is not None else ("name", name))
            pos = m.end()
        return tokens

    def evaluate(self):
        value = self.parse_or()
        if self.pos != len(self.tokens):
            raise ActionError(f"unexpected {self.tokens[self.pos]} in expression")
        return value

    def peek(self, op):
        return self.pos < len(self.tokens) and self.tokens[self.pos] == ("op", op)

    def parse_or(self):
        return self.parse_chain("||", self.parse_and, lambda left, right: left if truthy(left) else right)

    def parse_and(self):
        return self.parse_chain("&&", self.parse_comparison, lambda left, right: right if truthy(left) else left)

    def parse_chain(self, op, operand, combine):
        value = operand()
        while self.peek(op):
            self.pos += 1
            value = combine(value, operand())
        return value

    def parse_comparison(self):
        left = self.parse_unary()
        for op in ("==", "!="):
            if self.peek(op):
                self.pos += 1
                right = self.parse_unary()
                equal = str(left).lower() == str(right).lower()  # GitHub compares strings ignoring case
                return equal if op == "==" else not equal
        return left

    def parse_unary(self):
        if self.peek("!"):
            self.pos += 1
            return not truthy(self.parse_unary())
        if self.peek("("):
            self.pos += 1
            value = self.parse_or()
            if not self.peek(")"):
                raise ActionError("missing ) in expression")
            self.pos += 1
            return value
        if self.pos >= len(self.tokens):
            raise ActionError("expression ends too soon")
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "str":
            return value
        if kind == "name":
            return self.context.lookup(value)
        raise ActionError(f"unexpected {value!r} in expression")


def truthy(value):
    return value not in ("", False, None, 0)


class Context:
    def __init__(self, inputs):
        self.inputs = inputs
        self.steps = {}  # id -> {"outputs": {...}, "outcome": "success" | "failure" | "skipped"}
        self.failed = False

    def lookup(self, name):
        if name in STATUS_FUNCTIONS:
            return {"always()": True, "success()": not self.failed, "failure()": self.failed, "cancelled()": False}[name]
        parts = name.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in self.inputs:
                raise ActionError(f"inputs.{parts[1]} is not an input of the action")
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) >= 3:
            step = self.steps.get(parts[1])
            if step is None:
                return ""
            if parts[2] == "outputs" and len(parts) == 4:
                return step["outputs"].get(parts[3], "")
            if parts[2] in ("outcome", "conclusion") and len(parts) == 3:
                return step["outcome"]
        raise ActionError(f"this runner does not evaluate {name!r}")

    def substitute(self, text):
        """A string with ${{ expr }} parts, as in env, with and output values."""
        def one(m):
            value = Expression(m.group(1), self).evaluate()
            return "true" if value is True else "false" if value is False else str(value)
        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    def condition(self, text):
        if text is None:
            return not self.failed
        text = str(text).strip()
        m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
        text = m.group(1) if m else text
        if not any(f in text for f in STATUS_FUNCTIONS):
            text = f"success() && ({text})"
        return truthy(Expression(text, self).evaluate())


def read_outputs(path):
    """GITHUB_OUTPUT: NAME=VALUE lines and NAME<<DELIMITER blocks."""
    outputs, lines = {}, open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i)
            outputs[name] = "\n".join(lines[i:end])
            i = end + 1
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def check_action(action):
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        raise ActionError("not a composite action")
    for step in runs["steps"]:
        if "run" in step:
            if step.get("shell") != "bash":
                raise ActionError(f"step {step.get('name')!r}: a composite run step needs shell: bash")
            if "${{" in step["run"]:
                raise ActionError(f"step {step.get('name')!r}: ${{{{ }}}} in a run: body is a script-injection hole; pass it through env:")


def map_inputs(action, given):
    declared = action.get("inputs", {}) or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise ActionError(f"inputs the action does not declare: {sorted(unknown)}")
    inputs = {}
    for name, spec in declared.items():
        spec = spec or {}
        if name in given:
            inputs[name] = str(given[name])
        elif spec.get("required") and "default" not in spec:
            raise ActionError(f"input {name} is required")
        else:
            inputs[name] = str(spec.get("default", ""))
    return inputs


def run_step(step, context, action_dir, workspace, temp, index):
    files = {name: os.path.join(temp, f"step{index}.{name}") for name in ("output", "summary", "env", "path", "script")}
    for name in ("output", "summary", "env", "path"):
        open(files[name], "w").close()
    with open(files["script"], "w", encoding="utf-8") as f:
        f.write(step["run"])
    env = dict(os.environ)
    env.update({
        "GITHUB_OUTPUT": files["output"], "GITHUB_STEP_SUMMARY": files["summary"], "GITHUB_ENV": files["env"],
        "GITHUB_PATH": files["path"], "GITHUB_ACTION_PATH": action_dir, "GITHUB_WORKSPACE": workspace,
        "RUNNER_TEMP": temp, "GITHUB_ACTIONS": "true", "CI": "true",
    })
    for key, value in (step.get("env") or {}).items():
        env[key] = context.substitute(value)
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", files["script"]], cwd=workspace, env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if os.path.getsize(files["env"]) or os.path.getsize(files["path"]):
        raise ActionError(f"step {step.get('name')!r} writes GITHUB_ENV or GITHUB_PATH, which this runner does not apply")
    return proc.returncode, read_outputs(files["output"]), open(files["summary"], encoding="utf-8").read(), proc.stdout.decode("utf-8", "replace")


def run_action(action_path, given, workspace, temp):
    with open(action_path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    check_action(action)
    context = Context(map_inputs(action, given))
    action_dir = os.path.dirname(os.path.abspath(action_path))
    report = {"steps": [], "summary": "", "log": "", "job_failed": False, "exit_code": 0}
    for index, step in enumerate(action["runs"]["steps"]):
        entry = {"name": step.get("name", ""), "id": step.get("id", ""), "uses": step.get("uses", "")}
        entry["condition"] = context.condition(step.get("if"))
        entry["ran"] = False
        outcome, outputs = "skipped", {}
        if entry["condition"] and "uses" in step:
            entry["with"] = {k: context.substitute(v) for k, v in (step.get("with") or {}).items()}
        elif entry["condition"]:
            code, outputs, summary, log = run_step(step, context, action_dir, workspace, temp, index)
            entry.update(ran=True, exit_code=code, outputs=outputs)
            report["summary"] += summary
            report["log"] += log
            outcome = "success" if code == 0 else "failure"
            if code != 0 and not context.failed:
                context.failed = True
                report.update(job_failed=True, exit_code=code)
        if step.get("id"):
            context.steps[step["id"]] = {"outputs": outputs, "outcome": outcome}
        report["steps"].append(entry)
    report["outputs"] = {name: context.substitute(spec.get("value", "")) for name, spec in (action.get("outputs") or {}).items()}
    return report


def check_workflow(workflow_path, action_path):
    with open(action_path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    with open(workflow_path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f)
    inputs, outputs, uses = set(action["inputs"]), set(action["outputs"]), 0
    for job_name, job in workflow["jobs"].items():
        action_steps = set()
        for step in job["steps"]:
            where = f"job {job_name}, step {step.get('name', step.get('uses'))!r}"
            if "${{" in step.get("run", ""):
                raise ActionError(f"{where}: ${{{{ }}}} in a run: body")
            if step.get("uses") != "./.github/actions/backstop":
                continue
            uses += 1
            given = step.get("with") or {}
            if set(given) - inputs:
                raise ActionError(f"{where}: inputs the action does not declare: {sorted(set(given) - inputs)}")
            if given.get("step", "check") not in ("check", "verify"):
                raise ActionError(f"{where}: step must be check or verify")
            if given.get("step") == "verify" and not given.get("service"):
                raise ActionError(f"{where}: a verify step needs a service")
            action_steps.add(step.get("id"))
        for ref_step, name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", json.dumps(job)):
            if ref_step in action_steps and name not in outputs:
                raise ActionError(f"job {job_name}: steps.{ref_step}.outputs.{name} is not an output of the action")
    if uses == 0:
        raise ActionError("the workflow does not use ./.github/actions/backstop")
    print(f"{workflow_path}: {uses} use(s) of the action, inputs and outputs known")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--check-workflow":
        try:
            return check_workflow(argv[2], argv[3])
        except ActionError as e:
            print(f"run_action.py: {e}", file=sys.stderr)
            return 1
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    try:
        report = run_action(argv[1], json.loads(argv[2]), argv[3], argv[4])
    except ActionError as e:
        print(f"run_action.py: {e}", file=sys.stderr)
        return 2
    json.dump(report, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
