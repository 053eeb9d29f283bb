#!/usr/bin/env bash
# A private single-node Slurm on this machine, for development and tests.
#
#   cluster/local_slurm.sh start  [--dir DIR]   install (if missing) and start munged, slurmctld, slurmd;
#                                               prints `export SLURM_CONF=DIR/slurm.conf` on stdout
#   cluster/local_slurm.sh status [--dir DIR]   exit 0 if up, 3 if down
#   cluster/local_slurm.sh stop   [--dir DIR]   cancel its jobs, stop the daemons it started
#
# Everything (config, munge key and socket, state, spool, pid files, logs) lives in the state dir:
# --dir, else $BIASGEN_SLURM_DIR, else <repo>/.cache/slurm. Nothing is written to /etc/slurm; only the
# apt packages slurm-wlm and munge are installed system-wide (once). No slurmdbd: accounting_storage/none,
# finished jobs stay in `scontrol show job` for MinJobAge and are appended to DIR/log/jobcomp.txt.
#
# Environment:
#   BIASGEN_SLURM_DIR       state dir (default <repo>/.cache/slurm)
#   BIASGEN_SLURM_PORT      SlurmctldPort (default 16817)
#   BIASGEN_SLURMD_PORT     SlurmdPort (default BIASGEN_SLURM_PORT + 1)
#   BIASGEN_SLURM_TIMEOUT   seconds `start` waits for the node to become idle (default 60)
#
# Exit status: 0 ok, 1 error, 2 usage, 3 down (status), 4 packages missing and apt-get could not
# install them.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROG="local_slurm.sh"

usage() {
    echo "usage: $PROG start|stop|status [--dir DIR]" >&2
    exit 2
}

log() { echo "$PROG: $*" >&2; }
die() { echo "$PROG: error: $1" >&2; exit "${2:-1}"; }

# ---------------------------------------------------------------- arguments
[[ $# -ge 1 ]] || usage
CMD="$1"; shift
DIR="${BIASGEN_SLURM_DIR:-$REPO/.cache/slurm}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) [[ $# -ge 2 ]] || usage; DIR="$2"; shift 2 ;;
        --dir=*) DIR="${1#--dir=}"; shift ;;
        -h|--help) usage ;;
        *) echo "$PROG: unknown argument: $1" >&2; usage ;;
    esac
done
case "$CMD" in start|stop|status) ;; *) usage ;; esac

DIR="$(realpath -m -- "$DIR")"
[[ "$DIR" != *[[:space:]]* ]] || die "the state dir must not contain white space: '$DIR'" 2
CONF="$DIR/slurm.conf"
MUNGE_DIR="$DIR/munge"
MUNGE_SOCKET="$MUNGE_DIR/munge.socket"
MUNGE_PID="$MUNGE_DIR/munged.pid"
RUN_DIR="$DIR/run"
LOG_DIR="$DIR/log"
CTLD_PID="$RUN_DIR/slurmctld.pid"
SLURMD_PID="$RUN_DIR/slurmd.pid"
JOBCOMP="$LOG_DIR/jobcomp.txt"
CTLD_PORT="${BIASGEN_SLURM_PORT:-16817}"
SLURMD_PORT="${BIASGEN_SLURMD_PORT:-$((CTLD_PORT + 1))}"
TIMEOUT="${BIASGEN_SLURM_TIMEOUT:-60}"
NODE="$(hostname -s)"

# ---------------------------------------------------------------- helpers
# pid_of PIDFILE MARKER: print the pid in PIDFILE if that process is alive and its command line
# contains MARKER (our config path or munge socket), so a recycled pid is never taken for ours.
pid_of() {
    local pidfile="$1" marker="$2" pid cmdline
    [[ -r "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' < "$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$marker"* ]] || return 1
    echo "$pid"
}
munged_pid() { pid_of "$MUNGE_PID" "$MUNGE_SOCKET"; }
ctld_pid() { pid_of "$CTLD_PID" "$CONF"; }
slurmd_pid() { pid_of "$SLURMD_PID" "$CONF"; }

# wait_gone PID SECONDS: wait for PID to exit; 1 if it is still there.
wait_gone() {
    local pid="$1" deadline=$((SECONDS + $2))
    while [[ -e "/proc/$pid" ]]; do
        # a zombie child of ours does not count
        [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# kill_wait PID NAME: SIGTERM, wait, then SIGKILL.
kill_wait() {
    local pid="$1" name="$2"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 20; then
        log "$name (pid $pid) did not exit after SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "$name (pid $pid) is still alive after SIGKILL"
    fi
}

# port_in_use PORT: something listens on TCP PORT (read from /proc/net/tcp*, so that no daemon sees
# a stray connection; /dev/tcp if those are unreadable)
port_in_use() {
    local hex
    hex="$(printf '%04X' "$1")"
    if [[ -r /proc/net/tcp ]]; then
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null \
            | awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p {found=1} END {exit !found}'
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

# Processes (slurmstepd, left over after slurmd stopped) started by *our* slurmd: their environment
# holds SLURM_CONF=<our conf>, which slurmd passed on.
our_stepds() {
    local p
    for p in /proc/[0-9]*; do
        [[ "$(cat "$p/comm" 2>/dev/null)" == slurmstepd ]] || continue
        [[ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" != Z ]] || continue
        { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$CONF" || continue
        echo "${p#/proc/}"
    done
}

# descendants PID: all descendants of PID (children first listed after parents).
descendants() {
    local queue=("$1") cur child
    while [[ ${#queue[@]} -gt 0 ]]; do
        cur="${queue[0]}"; queue=("${queue[@]:1}")
        for child in $(ps -o pid= --ppid "$cur" 2>/dev/null); do
            echo "$child"; queue+=("$child")
        done
    done
}

last_logs() {
    local f
    for f in "$MUNGE_DIR/munged.log" "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" "$LOG_DIR"/*.out; do
        [[ -s "$f" ]] || continue
        echo "---- last lines of $f" >&2
        tail -n 15 "$f" >&2
    done
}

# ---------------------------------------------------------------- install
ensure_packages() {
    local missing=0 b
    for b in munged munge unmunge slurmctld slurmd sbatch srun scontrol sinfo squeue scancel; do
        command -v "$b" >/dev/null 2>&1 || missing=1
    done
    ((missing)) || return 0
    command -v apt-get >/dev/null 2>&1 || die "slurm/munge are not installed and there is no apt-get" 4
    [[ $EUID -eq 0 ]] || die "slurm/munge are not installed and installing them needs root" 4
    log "installing slurm-wlm and munge with apt-get (once, ~15 s)"
    local t0=$SECONDS aptlog
    aptlog="$(mktemp)"
    # a failed update is not fatal by itself: the package lists may still be usable
    apt-get -o DPkg::Lock::Timeout=120 update -qq >"$aptlog" 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
            slurm-wlm munge >>"$aptlog" 2>&1; then
        tail -n 20 "$aptlog" >&2
        rm -f "$aptlog"
        die "apt-get could not install slurm-wlm and munge" 4
    fi
    rm -f "$aptlog"
    for b in munged slurmctld slurmd sbatch; do
        command -v "$b" >/dev/null 2>&1 || die "apt-get ran but '$b' is still missing" 4
    done
    log "installed in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- config
write_conf() {
    local cpus mem_kb real_mem headroom defmem
    cpus="$(nproc)"
    mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
    real_mem=$((mem_kb / 1024))
    headroom=$((real_mem / 10)); ((headroom >= 1024)) || headroom=1024
    real_mem=$((real_mem - headroom)); ((real_mem >= 256)) || real_mem=256
    defmem=$((real_mem / cpus))
    cat > "$CONF.new" <<EOF
# Written by cluster/local_slurm.sh; rewritten on every start.
ClusterName=biasgen
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# a private munged; cred_expire is also how long a requeued job waits before it may start again
# (default 120 s)
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$defmem
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
ReturnToService=2
JobRequeue=1
MinJobAge=600
KillWait=5
InactiveLimit=0
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

# ---------------------------------------------------------------- start
start_munged() {
    local pid
    if pid="$(munged_pid)"; then
        log "munged already running (pid $pid)"
        return 0
    fi
    mkdir -p "$MUNGE_DIR"
    chmod 755 "$MUNGE_DIR"
    if [[ ! -s "$MUNGE_DIR/munge.key" ]]; then
        (umask 077; dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none)
    fi
    chmod 600 "$MUNGE_DIR/munge.key"
    rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock" "$MUNGE_PID"
    # --force: the state dir's parents may be private (e.g. pytest's tmp dirs), which munged would
    # otherwise refuse for its socket; only root uses this socket.
    munged --force --socket="$MUNGE_SOCKET" --key-file="$MUNGE_DIR/munge.key" \
        --pid-file="$MUNGE_PID" --log-file="$MUNGE_DIR/munged.log" \
        --seed-file="$MUNGE_DIR/munged.seed" </dev/null >>"$LOG_DIR/munged.out" 2>&1 9>&- \
        || { last_logs; die "munged failed to start"; }
    local deadline=$((SECONDS + 10))
    until munge -S "$MUNGE_SOCKET" -n 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { last_logs; die "munged does not answer on $MUNGE_SOCKET"; }
        sleep 0.2
    done
    log "munged started (pid $(munged_pid || echo '?'))"
}

node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n 1; }

# slurmd_registered: slurmctld has heard from *this* slurmd (after a restart the node's saved state
# reads idle before slurmd has registered): the node's SlurmdStartTime is our slurmd's start time.
slurmd_registered() {
    local pid started reported
    pid="$(slurmd_pid)" || return 1
    started="$(date -d "$(ps -o lstart= -p "$pid")" +%s 2>/dev/null)" || return 1
    reported="$(scontrol show node "$NODE" -o 2>/dev/null | grep -o 'SlurmdStartTime=[^ ]*' | cut -d= -f2)"
    reported="$(date -d "$reported" +%s 2>/dev/null)" || return 1
    (( reported - started <= 2 && started - reported <= 2 ))
}

do_start() {
    local t0=$SECONDS pid ctld slurmd
    ensure_packages
    mkdir -p "$DIR" "$RUN_DIR" "$LOG_DIR" "$DIR/state" "$DIR/spool"
    exec 9>"$DIR/.lock"
    flock -w 120 9 || die "another $PROG holds $DIR/.lock"
    export SLURM_CONF="$CONF"

    ctld="$(ctld_pid || true)"; slurmd="$(slurmd_pid || true)"
    write_conf
    if [[ -f "$CONF" ]] && ! cmp -s "$CONF" "$CONF.new" && [[ -n "$ctld$slurmd" ]]; then
        rm -f "$CONF.new"
        die "Slurm in $DIR is running with a different configuration (port, memory?); run '$PROG stop --dir $DIR' first"
    fi
    mv -f "$CONF.new" "$CONF"

    if [[ -z "$ctld" ]] && port_in_use "$CTLD_PORT"; then
        die "port $CTLD_PORT is in use (another local Slurm or another program); set BIASGEN_SLURM_PORT"
    fi
    if [[ -z "$slurmd" ]] && port_in_use "$SLURMD_PORT"; then
        die "port $SLURMD_PORT is in use (another local Slurm or another program); set BIASGEN_SLURM_PORT or BIASGEN_SLURMD_PORT"
    fi
    start_munged

    if [[ -n "$ctld" ]]; then
        log "slurmctld already running (pid $ctld)"
    else
        rm -f "$CTLD_PID"
        slurmctld -f "$CONF" </dev/null >>"$LOG_DIR/slurmctld.out" 2>&1 9>&- \
            || { last_logs; die "slurmctld failed to start"; }
    fi
    if [[ -n "$slurmd" ]]; then
        log "slurmd already running (pid $slurmd)"
    else
        rm -f "$SLURMD_PID"
        slurmd -f "$CONF" </dev/null >>"$LOG_DIR/slurmd.out" 2>&1 9>&- \
            || { last_logs; die "slurmd failed to start"; }
    fi

    local deadline=$((SECONDS + TIMEOUT)) state="" resumed=0
    while :; do
        state="$(node_state)"
        case "$state" in
            idle|mixed|allocated|completing) slurmd_registered && break ;;
            down|drained|draining)
                # left over in the saved state from an earlier run; ReturnToService=2 normally handles it
                if ((resumed == 0)) && slurmd_pid >/dev/null; then
                    scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
                    resumed=1
                fi ;;
        esac
        if ! ctld_pid >/dev/null || ! slurmd_pid >/dev/null; then
            # the daemons write their pid file only after daemonizing; give them a moment
            if ((SECONDS - t0 > 5)); then
                last_logs
                die "$( ctld_pid >/dev/null || echo -n 'slurmctld ')$( slurmd_pid >/dev/null || echo -n 'slurmd ')exited; see $LOG_DIR"
            fi
        fi
        if ((SECONDS >= deadline)); then
            sinfo -N >&2 || true
            last_logs
            die "node $NODE not idle after ${TIMEOUT}s (state: '${state:-no answer}'); see $LOG_DIR"
        fi
        sleep 0.2
    done
    if [[ -s "$DIR/lost_jobs" ]]; then
        local lost
        lost="$(sort -un "$DIR/lost_jobs" | tr '\n' ' ')"
        log "cancelling jobs whose processes the last stop had to kill: $lost"
        # shellcheck disable=SC2086
        scancel $lost 2>/dev/null || true
        rm -f "$DIR/lost_jobs"
    fi
    log "Slurm up in $((SECONDS - t0)) s: node $NODE $state, partition debug, slurmctld port $CTLD_PORT, state dir $DIR"
    echo "export SLURM_CONF=$CONF"
}

# ---------------------------------------------------------------- stop
do_stop() {
    [[ -d "$DIR" ]] || { log "nothing to stop: no $DIR"; return 0; }
    exec 9>"$DIR/.lock"
    flock -w 120 9 || die "another $PROG holds $DIR/.lock"
    export SLURM_CONF="$CONF"
    local pid ctld slurmd

    ctld="$(ctld_pid || true)"; slurmd="$(slurmd_pid || true)"
    # cancel running/pending jobs through Slurm, so their processes are cleaned up the normal way
    if [[ -n "$ctld" && -n "$slurmd" ]]; then
        local jobs
        jobs="$(squeue -h -o '%i' 2>/dev/null | tr '\n' ' ' || true)"
        if [[ -n "${jobs// /}" ]]; then
            log "cancelling jobs: $jobs"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            local deadline=$((SECONDS + 15))
            while [[ -n "$(squeue -h -o '%i' 2>/dev/null || true)" ]] && ((SECONDS < deadline)); do
                sleep 0.3
            done
        fi
    fi

    if [[ -n "$slurmd" ]]; then kill_wait "$slurmd" slurmd; log "slurmd (pid $slurmd) stopped"; fi
    if [[ -n "$ctld" ]]; then kill_wait "$ctld" slurmctld; log "slurmctld (pid $ctld) stopped"; fi
    rm -f "$SLURMD_PID" "$CTLD_PID"

    # job steps that outlived slurmd (only ours: their environment names our slurm.conf). Their jobs
    # are noted in DIR/lost_jobs: the saved state still has them running, and the next start cancels
    # them (slurmctld would otherwise keep them as RUNNING for a long time).
    local stepd victims
    for stepd in $(our_stepds); do
        tr '\0' ' ' < "/proc/$stepd/cmdline" 2>/dev/null | grep -o '\[[0-9]*' | tr -d '[' \
            >> "$DIR/lost_jobs" || true
        victims="$(descendants "$stepd" | tr '\n' ' ')"
        log "killing left-over slurmstepd $stepd and its processes $victims"
        # shellcheck disable=SC2086
        kill -KILL $victims "$stepd" 2>/dev/null || true
        wait_gone "$stepd" 10 || log "slurmstepd $stepd is still alive"
    done

    if pid="$(munged_pid)"; then
        kill_wait "$pid" munged
        log "munged (pid $pid) stopped"
    fi
    rm -f "$MUNGE_PID" "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock"
}

# ---------------------------------------------------------------- status
do_status() {
    local up=0 pid name
    export SLURM_CONF="$CONF"
    echo "state dir: $DIR"
    for name in munged slurmctld slurmd; do
        case "$name" in
            munged) pid="$(munged_pid || true)" ;;
            slurmctld) pid="$(ctld_pid || true)" ;;
            slurmd) pid="$(slurmd_pid || true)" ;;
        esac
        if [[ -n "$pid" ]]; then
            echo "$name: running (pid $pid)"
        else
            echo "$name: not running"; up=3
        fi
    done
    if ((up == 0)); then
        if sinfo 2>&1; then
            case "$(node_state)" in
                idle|mixed|allocated|completing) ;;
                *) up=3 ;;
            esac
        else
            up=3
        fi
        echo "export SLURM_CONF=$CONF"
    fi
    return "$up"
}

case "$CMD" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
esac
