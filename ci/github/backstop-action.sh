#!/usr/bin/env bash
# The shell side of the backstop GitHub Action (action.yml beside it): `install` puts backstop on PATH,
# `run` runs check or verify and writes the job summary and step outputs, `exit` ends the job with
# backstop's exit code. Inputs arrive as INPUT_* variables and are only ever passed as arguments.
set -euo pipefail

# Markdown for the job summary, in jq: `code` is an inline code span holding any text as it is (a
# backtick fence longer than any run inside it; `|` escaped, as GFM tables need even in code;
# empty text, nothing).
# shellcheck disable=SC2016 # jq text, not shell
JQ_MARKDOWN='
def code: (tostring | gsub("[\r\n]"; " ") | gsub("\\|"; "\\|")) as $s
  | if $s == "" then "" else
      ("`" * ((([$s | match("`+"; "g") | .length] | max) // 0) + 1)) as $f
      | $f + (if ($s | startswith("`")) or ($s | endswith("`")) then " " + $s + " " else $s end) + $f
    end;
def block: tostring as $s
  | ("`" * ([3, ((([$s | match("`+"; "g") | .length] | max) // 0) + 1)] | max)) as $f
  | $f + "text\n" + $s + "\n" + $f + "\n";
'

# --- workflow commands and outputs --------------------------------------------------------------

# Text of a workflow command: %, CR and LF escaped, so text from a policy or a service cannot start a
# command of its own on the next line.
command_data() {
    local s=$1
    s=${s//'%'/'%25'}
    s=${s//$'\r'/'%0D'}
    s=${s//$'\n'/'%0A'}
    printf '%s' "$s"
}

# One step output, in the NAME<<DELIMITER form with a random delimiter: a value holding newlines or
# `x=y` lines cannot set other outputs.
set_output() {
    local delimiter
    delimiter="backstop_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >>"$GITHUB_OUTPUT"
}

summary() { printf '%s' "$1" >>"$GITHUB_STEP_SUMMARY"; }

# The action was given something it cannot run: an annotation and the summary say what, the step fails.
fail_usage() {
    echo "::error title=backstop action::$(command_data "$1")"
    if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
        summary "$(jq -rn --arg m "$1" "$JQ_MARKDOWN"'"## backstop\n\nThe action could not run:\n\n" + ($m | block)')"
    fi
    exit 1
}

# What backstop's exit code CODE means after step STEP (README, Exit codes).
exit_meaning() {
    case $2:$1 in
        check:0) echo "the policies are valid" ;;
        check:1) echo "check found errors, or could not read the policies" ;;
        verify:0) echo "healthy, or rolled back and verified (or a dry run done)" ;;
        verify:1) echo "unhealthy and not rolled back, the rollback failed, or the service is unknown" ;;
        *:2) echo "switched and restarted, but the rolled-back service did not verify" ;;
        *:3) echo "refused: another rollback holds the service's lock, or max_attempts within window was reached" ;;
        *:4) echo "done, but its end could not be written to history" ;;
        *:64) echo "usage error: backstop did not accept the command line" ;;
        *) echo "unexpected exit code" ;;
    esac
}

# --- install ------------------------------------------------------------------------------------

install_backstop() {
    if command -v backstop >/dev/null; then
        echo "backstop is on PATH: $(command -v backstop), $(backstop --version)"
        return 0
    fi
    local deb=${INPUT_DEB:-}
    if [[ -z $deb ]]; then
        fail_usage "backstop is not on PATH and the deb input names no package. Build one with \`make deb\` (build/backstop_VERSION_ARCH.deb, for Debian 12) and give its path or https URL as deb, or install backstop on the runner."
    fi
    if [[ $deb == *://* && $deb != https://* ]]; then
        fail_usage "deb: only https URLs are downloaded; give an https URL or a path"
    fi
    if [[ $deb != https://* && ! -f $deb ]]; then
        fail_usage "deb: no such file: $deb"
    fi
    local sudo=() extra=() file=$deb
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    command -v jq >/dev/null || extra+=(jq)
    "${sudo[@]}" apt-get update -q
    if [[ $deb == https://* ]]; then
        # A bare container (debian:12) has no curl.
        command -v curl >/dev/null || "${sudo[@]}" apt-get install -y -q --no-install-recommends curl ca-certificates
        file="$(mktemp -d "${RUNNER_TEMP:-/tmp}/backstop-deb.XXXXXX")/backstop.deb"
        echo "Downloading the package the deb input names"  # not the URL: it may carry a token
        curl --fail --silent --show-error --location --proto '=https' --output "$file" "$deb"
    fi
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "$(realpath -- "$file")" "${extra[@]}"
    command -v backstop >/dev/null || fail_usage "the package from deb installed, but backstop is still not on PATH"
    echo "Installed $(backstop --version)"
}

# --- check --------------------------------------------------------------------------------------

# Each diagnostic of `check --json` as an annotation on its FILE:LINE:COL (shown on the pull request).
annotate_diagnostics() {
    jq -r '
      def data: gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
      def prop: tostring | data | gsub(":"; "%3A") | gsub(","; "%2C");
      .diagnostics[]?
      | "::\(if .severity == "error" then "error" else "warning" end) file=\(.file | prop),line=\(.line | prop),col=\(.column | prop),title=backstop check [\(.code | prop)]::\(.message | data)"
    ' "$1" 2>/dev/null || true
}

run_check() {
    local rc=0 outcome=passed
    "${BACKSTOP[@]}" check >"$WORK/check.txt" 2>&1 || rc=$?
    cat "$WORK/check.txt"
    "${BACKSTOP[@]}" check --json >"$WORK/check.json" 2>/dev/null || true
    annotate_diagnostics "$WORK/check.json"
    [[ $rc -eq 0 ]] || outcome=failed
    local counts
    counts=$(jq -r '"\(.services) service(s), \(.errors) error(s), \(.warnings) warning(s)"' "$WORK/check.json" 2>/dev/null || true)
    # The output is cut at 400 lines: a summary holds at most 1 MiB.
    summary "$(jq -rn --arg policies "$POLICIES" --arg outcome "$outcome" --arg counts "$counts" --arg rc "$rc" \
        --arg meaning "$(exit_meaning "$rc" check)" --rawfile out <(head -n 400 "$WORK/check.txt") "$JQ_MARKDOWN"'
        "## backstop check: \($outcome)\n\nPolicies \($policies | code)"
        + (if $counts == "" then "" else ": \($counts)" end) + ".\n\n"
        + ($out | rtrimstr("\n") | block)
        + "\nExit code \($rc | code): \($meaning).\n"')"
    set_output outcome "$outcome"
    set_output exit-code "$rc"
    set_output record ""
}

# --- verify -------------------------------------------------------------------------------------

# Recorded in history with each run: who asked and which workflow run, so the record leads back here.
default_reason() {
    if [[ -n ${INPUT_REASON:-} ]]; then
        printf '%s' "$INPUT_REASON"
        return 0
    fi
    local r="post-deploy verify from GitHub Actions"
    [[ -z ${GITHUB_WORKFLOW:-} ]] || r+=" (${GITHUB_WORKFLOW})"
    [[ -z ${GITHUB_SHA:-} ]] || r+=" of ${GITHUB_SHA:0:12}"
    if [[ -n ${GITHUB_SERVER_URL:-} && -n ${GITHUB_REPOSITORY:-} && -n ${GITHUB_RUN_ID:-} ]]; then
        r+=": ${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
    fi
    printf '%s' "$r"
}

# Runs the verification (and the rollback, or in a dry run its plan); leaves backstop's JSON answer in
# $WORK/run.json, the first verification's in $WORK/verify.json, and returns backstop's exit code in RC.
verify_service() {
    local reason common=("--actor=${GITHUB_ACTOR:-github-actions}")
    reason=$(default_reason)
    [[ -z ${INPUT_ENV:-} ]] || common+=("--env=$INPUT_ENV")
    RC=0
    if [[ $DRY_RUN == false ]]; then
        [[ -z ${INPUT_LEVEL:-} ]] || common+=("--level=$INPUT_LEVEL")
        "${BACKSTOP[@]}" verify --rollback --json "${common[@]}" "--reason=$reason" -- "$INPUT_SERVICE" \
            >"$WORK/run.json" 2>>"$WORK/stderr.txt" || RC=$?
        cp "$WORK/run.json" "$WORK/verify.json"
        return 0
    fi
    "${BACKSTOP[@]}" verify --json "${common[@]}" "--reason=$reason" -- "$INPUT_SERVICE" \
        >"$WORK/verify.json" 2>>"$WORK/stderr.txt" || RC=$?
    cp "$WORK/verify.json" "$WORK/run.json"
    if [[ $(jq -r '.healthy' "$WORK/verify.json" 2>/dev/null || true) == false ]]; then
        local why
        why=$(jq -r '"verification failed on \(.release): \(.message)"' "$WORK/verify.json")
        [[ -z ${INPUT_LEVEL:-} ]] || common+=("--level=$INPUT_LEVEL")
        # The plan only: its exit code is not the job's; the service stays unhealthy (verify's 1).
        "${BACKSTOP[@]}" rollback --dry-run --json "${common[@]}" "--reason=$reason ($why)" -- "$INPUT_SERVICE" \
            >"$WORK/run.json" 2>>"$WORK/stderr.txt" || true
    fi
}

# The newest history record of run $1 (`history --json`, which holds its notifications once delivered),
# written to the file $2; fails when history has no such run.
fetch_record() {
    "${BACKSTOP[@]}" history --json --limit 200 >"$WORK/history.json" &&
        jq -e --arg id "$1" 'first(.[] | select(.run_id == $id))' "$WORK/history.json" >"$2"
}

# The run as the terminal report shows it, for the job log (the step ran backstop with --json).
print_record() {
    jq -r '"\(.outcome | ascii_upcase): \(.service) \(.from) -> \(.to): \(.message) [run \(.run_id)]",
           (.steps[]? | "  [\(.status)] \(.name)  \(.detail)" + (if .message == "" then "" else "\n      \(.message)" end))' "$1"
}

run_verify() {
    [[ -n ${INPUT_SERVICE:-} ]] || fail_usage "step verify needs the service input"
    case ${INPUT_DRY_RUN:-false} in
        true | false) DRY_RUN=${INPUT_DRY_RUN:-false} ;;
        *) fail_usage "dry-run must be true or false, not \"$INPUT_DRY_RUN\"" ;;
    esac
    : >"$WORK/stderr.txt"
    verify_service
    cat "$WORK/stderr.txt" >&2
    local run_id record="" healthy
    run_id=$(jq -r '.run_id // empty' "$WORK/run.json" 2>/dev/null || true)
    [[ $run_id =~ ^[A-Za-z0-9._-]+$ ]] || run_id=""
    if [[ -n $run_id ]]; then
        record="$WORK/backstop-run-$run_id.json"
        if fetch_record "$run_id" "$record"; then
            print_record "$record"
        else
            echo "::warning title=backstop action::run $run_id is not in backstop's history; no record to upload"
            record=""
        fi
    fi
    # verify --json answers with `healthy`; after a rollback it answers with the rollback's record.
    healthy=$(jq -r 'if has("healthy") then .healthy elif has("steps") then false else "" end' "$WORK/verify.json" 2>/dev/null || true)
    write_verify_summary "$record"
    local outcome=error from="" to=""
    if [[ -n $record ]]; then
        outcome=$(jq -r .outcome "$record")
        from=$(jq -r .from "$record")
        to=$(jq -r .to "$record")
    fi
    set_output outcome "$outcome"
    set_output exit-code "$RC"
    set_output record "$record"
    set_output run-id "$run_id"
    set_output healthy "$healthy"
    set_output from "$from"
    set_output to "$to"
    set_output artifact-name "$(artifact_name)"
}

artifact_name() {
    if [[ -n ${INPUT_ARTIFACT_NAME:-} ]]; then
        printf '%s' "$INPUT_ARTIFACT_NAME"
    else
        printf 'backstop-%s%s-record' "$INPUT_SERVICE" "${INPUT_ENV:+-$INPUT_ENV}"
    fi
}

# The summary of a verify step: the verdict, from -> to, the exit code's meaning and the run's steps;
# without a record (backstop refused the command line, an unknown service), what backstop said.
write_verify_summary() {
    local record=${1:-/dev/null}
    summary "$(jq -rn --arg service "$INPUT_SERVICE" --arg env "${INPUT_ENV:-}" --arg dry "$DRY_RUN" \
        --arg rc "$RC" --arg meaning "$(exit_meaning "$RC" verify)" --arg artifact "$(artifact_name)" \
        --slurpfile verify <(jq -c . "$WORK/verify.json" 2>/dev/null || true) \
        --slurpfile rec "$record" --rawfile stderr <(head -n 200 "$WORK/stderr.txt") \
        "$JQ_MARKDOWN"'
        def headline: . as $o | {verified: "healthy", unhealthy: "unhealthy, not rolled back", succeeded: "rolled back and verified",
                       verify_failed: "rolled back, but not healthy", failed: "the rollback failed",
                       refused: "the rollback was refused", dry_run: "unhealthy; a rollback is planned, not done"}[$o] // $o;
        ($verify[0] // {}) as $v | ($rec[0] // {}) as $r
        | "## backstop verify \($service | code)" + (if $env == "" then "" else " (env \($env | code))" end)
          + (if $dry == "true" then ", dry run" else "" end)
          + ": \(if $r.outcome then ($r.outcome | headline) else "no run recorded" end)\n\n"
          + "| | |\n|---|---|\n"
          + (if $v | has("healthy") then
               "| Verification | \(if $v.healthy then "healthy" else "unhealthy" end) on \($v.release | code): \($v.message | code) |\n"
             else "" end)
          + (if $r.outcome then "| Outcome | **\($r.outcome)**: \($r.message | code) |\n" else "" end)
          + (if $r.mode == "normal" and $r.from != $r.to then "| From -> to | \($r.from | code) -> \($r.to | code) |\n"
             elif $r.mode == "dry_run" then "| Would roll back | \($r.from | code) -> \($r.to | code) (dry run: nothing changed) |\n"
             else "" end)
          + (if $r.reason then "| Reason | \($r.reason | code) |\n" else "" end)
          + (if $r.run_id then "| Run | \($r.run_id | code), record uploaded as artifact \($artifact | code) |\n" else "" end)
          + "| Exit code | \($rc | code): \($meaning) |\n"
          + (if ($r.steps // []) == [] then "" else
               "\n| step | status | detail | message | time |\n|---|---|---|---|---|\n"
               + ([$r.steps[] | "| \(.name) | \(.status) | \(.detail | code) | \(.message | code) | \(.duration_ms) ms |\n"] | add)
             end)
          + (if $stderr == "" then "" else "\nbackstop said:\n\n" + ($stderr | rtrimstr("\n") | block) end)')"
}

# --- entry points -------------------------------------------------------------------------------

run_action() {
    : "${GITHUB_OUTPUT:?is not set: run this from a GitHub Actions step}" "${GITHUB_STEP_SUMMARY:?is not set}"
    command -v jq >/dev/null || fail_usage "jq is not installed (apt-get install jq); the action reads backstop's JSON with it"
    WORK=$(mktemp -d "${RUNNER_TEMP:-/tmp}/backstop.XXXXXX")
    POLICIES=${INPUT_POLICIES:-policies}
    BACKSTOP=(backstop "--policies=$POLICIES")
    [[ -z ${INPUT_STATE_DIR:-} ]] || BACKSTOP+=("--state=$INPUT_STATE_DIR")
    case ${INPUT_STEP:-check} in
        check) run_check ;;
        verify) run_verify ;;
        *) fail_usage "step must be check or verify, not \"$INPUT_STEP\"" ;;
    esac
}

exit_with_code() {
    local rc=${BACKSTOP_EXIT_CODE:-1}
    [[ $rc =~ ^[0-9]+$ ]] || rc=1
    if [[ $rc -ne 0 ]]; then
        echo "::error title=backstop::backstop exited $rc: $(exit_meaning "$rc" "${INPUT_STEP:-}")"
    fi
    exit "$rc"
}

case ${1:-} in
    install) install_backstop ;;
    run) run_action ;;
    exit) exit_with_code ;;
    *)
        echo "usage: backstop-action.sh install|run|exit" >&2
        exit 64
        ;;
esac
