#!/usr/bin/env bash
# Issue 13's experiment in one command: Dreamer on dmc:cartpole-swingup from 64x64 pixels (action
# repeat 2), at equal env steps and seeds, with four image encoders:
#   cnn         Dreamer's own CNN encoder
#   mae-frozen  a frozen MAE pre-trained in-domain (+ Dreamer's linear layer on its features)
#   mae-online  the MAE trained online beside the agent on its frames (Masked World Models style),
#               from random weights (mae-init's). Unlike MWM, which first trains its MAE alone for
#               5,000 updates on the prefill, it starts with Dreamer unless ONLINE_WARMUP=N asks for
#               N such updates first (encoder_warmup); then MWM trains it on 1,024 replayed frames
#               per update, here on 64 frames of each batch
#   mae-random  a frozen MAE of random weights (the control; the same weights mae-online starts from)
# Per seed, in this order (each step a run under RUNS_DIR/seedS/, found again through
# RUNS_DIR/seedS/.experiment/NAME, which holds its run id):
#   frames        a random-policy run of STEPS agent steps: the pre-training frames. Not the CNN
#                 run's: those follow the CNN agent's state distribution, which would leak what a
#                 trained agent visits into the "pre-trained" encoder
#   mae-pretrain  learn mae --from-run frames (MAE_UPDATES updates, preset MAE)
#   mae-init      learn mae --set eval_only=true on the same frames: one batch measured, no training;
#                 its checkpoint is the seeded random initialisation (the random-weights MAE)
#   cnn, mae-frozen, mae-online, mae-random   the four Dreamer runs
#   heldout-pretrain, heldout-init   the reconstruction loss (75% masked, the training loss) of
#                 the pre-trained and the random MAE on frames of the cnn run (held out from both),
#                 HELDOUT_BATCHES batches of 64, eval_only; they also write reconstruction images
# A step whose run finished is skipped; one that exists unfinished (stopped, crashed, killed) is
# continued with `resume`. Run the script again after an interruption: it goes on where it stopped.
# At the end bench/mae/report.py writes OUT (bench/results/mae.md), per-variant CSV/PNG
# (bench/results/mae-VARIANT-seedS.*) and the combined plot (bench/results/mae-curves.png).
#
#   bench/mae/experiment.sh
# Settings (environment variables, defaults in brackets):
#   STEPS [50000]      agent steps per run; at action repeat 2 that is the issue's 100k env steps
#   SEEDS ["0"]        seeds, e.g. "0 1 2"
#   PRESET [debug]     Dreamer preset (size); dmc_vision is DreamerV3's, days per run on a CPU
#   MAE [small64]      MAE learner preset (size) for pre-training and the random control
#   MAE_UPDATES [5000] pre-training updates (batch 64)
#   RUNS_DIR [runs/mae-experiment]   where the runs go
#   TRAIN_RATIO [0.5] PREFILL [5000] EVAL_EVERY [5000] EVAL_EPISODES [5] ENVS [4]
#   CHECKPOINT_EVERY [2500]   agent steps between Dreamer checkpoints (what a resume loses at most)
#   HELDOUT_BATCHES [20]      batches of 64 held-out frames per reconstruction measurement
#   DREAMER_SET ["" ]  extra Dreamer keys for every variant, e.g. "rep_scale=0"
#   ONLINE_WARMUP [0]  mae-online: updates of the MAE alone on the prefill before Dreamer's first (MWM: 5000)
#   VARIANTS ["cnn mae-frozen mae-online mae-random"]  the Dreamer runs this invocation makes. Two
#                      invocations with disjoint VARIANTS share the frames and MAEs (the first to
#                      come makes them, the other waits) and run side by side, one core each:
#                        VARIANTS="cnn mae-online" bench/mae/experiment.sh &
#                        VARIANTS="mae-frozen mae-random" bench/mae/experiment.sh &
#                      The lists must not overlap. The held-out measurements come with the cnn variant
#                      (they read its frames). Each invocation writes the report at its end, from what
#                      has finished by then (the later one's is complete).
#   OUT [bench/results/mae.md]
# Every run is niced (nice -n 10), with one libtorch thread, from a frozen copy of the gateway and
# plugins under RUNS_DIR/dist (a rebuild of the checkout cannot change classes under a running JVM).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

STEPS=${STEPS:-50000}
SEEDS=${SEEDS:-0}
PRESET=${PRESET:-debug}
MAE=${MAE:-small64}
MAE_UPDATES=${MAE_UPDATES:-5000}
RUNS_DIR=${RUNS_DIR:-runs/mae-experiment}
TRAIN_RATIO=${TRAIN_RATIO:-0.5}
PREFILL=${PREFILL:-5000}
EVAL_EVERY=${EVAL_EVERY:-5000}
EVAL_EPISODES=${EVAL_EPISODES:-5}
ENVS=${ENVS:-4}
CHECKPOINT_EVERY=${CHECKPOINT_EVERY:-2500}
HELDOUT_BATCHES=${HELDOUT_BATCHES:-20}
DREAMER_SET=${DREAMER_SET:-}
ONLINE_WARMUP=${ONLINE_WARMUP:-0}
# one space between names (wants() below matches " name ")
VARIANTS=$(echo ${VARIANTS:-cnn mae-frozen mae-online mae-random})
for v in $VARIANTS; do
    case $v in cnn | mae-frozen | mae-online | mae-random) ;; *) echo "unknown variant '$v' in VARIANTS" >&2; exit 2 ;; esac
done
OUT=${OUT:-bench/results/mae.md}
mkdir -p "$RUNS_DIR"
RUNS_DIR=$(cd "$RUNS_DIR" && pwd)

say() { printf '[mae-experiment] %s\n' "$*" >&2; }

# Build, deploy, then freeze the gateway and plugins this experiment runs with.
DIST=$RUNS_DIR/dist
if [ ! -f "$DIST/worldgate-gateway.jar" ]; then
    ./worldgate build >/dev/null
    mkdir -p "$DIST.tmp/deploy"
    cp -r gateway/target/worldgate-gateway.jar gateway/target/lib "$DIST.tmp/"
    cp deploy/*.jar "$DIST.tmp/deploy/"
    rm -rf "$DIST" && mv "$DIST.tmp" "$DIST"
    say "gateway and plugins frozen in $DIST (delete it to take a newer build)"
fi
if ! wg_envs=$(nice -n 10 java -Dai.djl.offline=true -Dworldgate.log.level=WARN -cp "$DIST/worldgate-gateway.jar:$DIST/lib/*" \
        io.worldgate.gateway.cli.Main --plugins-dir "$DIST/deploy" envs list 2>/dev/null) || ! grep -q '^dmc' <<<"$wg_envs"; then
    say "the dmc: environments are not available (the Python env bridge is needed); nothing run"
    exit 3
fi

# The gateway's command line, niced, one libtorch thread; extra JVM options first.
wg() {
    local jopts=$1
    shift
    # shellcheck disable=SC2086
    # the launcher's mmap threshold (see the README's Memory section): glibc otherwise keeps freed tensors
    MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} OMP_NUM_THREADS=1 OPT_OUT_TRACKING=true nice -n 10 java -Xmx4g -Dai.djl.pytorch.num_threads=1 \
        -Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.offline=true -Dworldgate.log.level=WARN $jopts \
        -cp "$DIST/worldgate-gateway.jar:$DIST/lib/*" io.worldgate.gateway.cli.Main --plugins-dir "$DIST/deploy" "$@"
}

run_state() {
    sed -n 's/.*"state" *: *"\([A-Z]*\)".*/\1/p' "$1/status.json" 2>/dev/null | head -1
}

# step SEEDDIR NAME JVM_OPTS COMMAND ARGS...: runs the command once (recording its run id), or
# resumes the recorded run if it did not finish; prints the run's directory.
step() {
    local seeddir=$1 name=$2 jopts=$3
    shift 3
    local marker=$seeddir/.experiment/$name log=$seeddir/.experiment/$name.log id rc=0
    mkdir -p "$seeddir/.experiment"
    if [ -s "$marker" ] && [ -d "$seeddir/$(cat "$marker")" ]; then
        id=$(cat "$marker")
        if [ "$(run_state "$seeddir/$id")" = FINISHED ]; then
            say "$name: $id finished, skipped"
            echo "$seeddir/$id"
            return 0
        fi
        say "$name: resuming $id ($(run_state "$seeddir/$id"))"
        wg "$jopts" --runs-dir "$seeddir" resume "$id" --json >>"$log" 2>&1 || rc=$?
    else
        say "$name: $*"
        # one run starts at a time in this folder until its id is recorded: a run another invocation
        # (VARIANTS) starts beside it would otherwise be taken for it
        exec 8>"$seeddir/.experiment-start.lock"
        flock 8
        local before
        before=$(ls "$seeddir")
        wg "$jopts" --runs-dir "$seeddir" "$@" --json >"$log" 2>&1 8>&- &
        local pid=$!
        # the run id is recorded as soon as its directory exists, so that a kill leaves a resumable run
        while [ ! -s "$marker" ]; do
            id=$(comm -13 <(echo "$before") <(ls "$seeddir") | head -1)
            if [ -n "$id" ] && [ -f "$seeddir/$id/config.json" ]; then
                echo "$id" >"$marker"
            elif ! kill -0 "$pid" 2>/dev/null; then
                break
            else
                sleep 2
            fi
        done
        flock -u 8
        exec 8>&-
        wait "$pid" || rc=$?
    fi
    if [ ! -s "$marker" ] || [ "$(run_state "$seeddir/$(cat "$marker")")" != FINISHED ]; then
        say "$name did not finish (exit $rc); see $log. Run this script again to resume it."
        tail -5 "$log" >&2
        exit 1
    fi
    echo "$seeddir/$(cat "$marker")"
}

DREAMER=(--agent dreamer --preset "$PRESET" --env dmc:cartpole-swingup --env-option obs=image --env-option size=64
    --env-option action_repeat=2 --steps "$STEPS" --envs "$ENVS" --train-ratio "$TRAIN_RATIO" --prefill "$PREFILL"
    --eval-every "$EVAL_EVERY" --eval-episodes "$EVAL_EPISODES" --checkpoint-every "$CHECKPOINT_EVERY")
for kv in $DREAMER_SET; do DREAMER+=(--set "$kv"); done
ONLINE=(--set encoder_mode=online)
if [ "$ONLINE_WARMUP" -gt 0 ]; then
    ONLINE+=(--set "encoder_warmup=$ONLINE_WARMUP")
fi
weights() { echo "-Dworldgate.mae.weights=$1"; }

for seed in $SEEDS; do
    dir=$RUNS_DIR/seed$seed
    mkdir -p "$dir"
    # the frames and the two MAEs once, whichever invocation comes first (the other waits here)
    exec 9>"$dir/.experiment.lock"
    flock 9
    frames=$(step "$dir" frames "" train --agent random --env dmc:cartpole-swingup --env-option obs=image \
        --env-option size=64 --env-option action_repeat=2 --steps "$STEPS" --envs "$ENVS" --seed "$seed")
    pretrained=$(step "$dir" mae-pretrain "" learn mae --from-run "$(basename "$frames")" --preset "$MAE" \
        --updates "$MAE_UPDATES" --seed "$seed" --checkpoint-every 1000)
    init=$(step "$dir" mae-init "" learn mae --from-run "$(basename "$frames")" --preset "$MAE" --updates 1 \
        --seed "$seed" --set eval_only=true --set image_every=0)
    flock -u 9
    wants() { [[ " $VARIANTS " == *" $1 "* ]]; }
    if wants cnn; then
        cnn=$(step "$dir" cnn "" train "${DREAMER[@]}" --seed "$seed" --set encoder=cnn)
    fi
    if wants mae-frozen; then
        step "$dir" mae-frozen "$(weights "$pretrained")" train "${DREAMER[@]}" --seed "$seed" --set encoder=mae \
            --set encoder_mode=frozen >/dev/null
    fi
    if wants mae-online; then
        step "$dir" mae-online "$(weights "$init")" train "${DREAMER[@]}" --seed "$seed" --set encoder=mae \
            "${ONLINE[@]}" >/dev/null
    fi
    if wants mae-random; then
        step "$dir" mae-random "$(weights "$init")" train "${DREAMER[@]}" --seed "$seed" --set encoder=mae \
            --set encoder_mode=frozen >/dev/null
    fi
    wants cnn || continue
    for mae in pretrain init; do
        [ $mae = pretrain ] && w=$pretrained || w=$init
        step "$dir" "heldout-$mae" "" learn mae --from-run "$(basename "$cnn")" --set "weights=$w" --set eval_only=true \
            --set batch=64 --set image_every="$HELDOUT_BATCHES" --updates "$HELDOUT_BATCHES" --seed 1000 >/dev/null
    done
done

python3 bench/mae/report.py "$RUNS_DIR" "$OUT" --seeds "$SEEDS" --action-repeat 2 \
    --setting "STEPS=$STEPS (x2 env steps) PRESET=$PRESET MAE=$MAE MAE_UPDATES=$MAE_UPDATES TRAIN_RATIO=$TRAIN_RATIO PREFILL=$PREFILL EVAL_EVERY=$EVAL_EVERY EVAL_EPISODES=$EVAL_EPISODES ENVS=$ENVS DREAMER_SET='$DREAMER_SET' ONLINE_WARMUP=$ONLINE_WARMUP"
java bench/learning/CurvesPlot.java "$(dirname "$OUT")/mae-curves.png" "$(dirname "$OUT")"/mae-*-seed*.csv
say "wrote $OUT"
