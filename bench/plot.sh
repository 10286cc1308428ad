#!/bin/sh
# plot.sh: the PSNR-vs-CPU figure of docs/benchmarks.md. Runs bench_pipeline on mona.png
# (-n 250 -r 256 -j 2) at increasing refinement budgets, writes docs/psnr-vs-cpu.csv and plots
# the judge's PSNR against CPU seconds, with primitive's and the greedy C reference points and
# the issue-4 targets marked, into docs/psnr-vs-cpu.png.
#
# Environment (all optional):
#   PE_SHARED          shared data directory (default ../shared)
#   PE_BENCH_BUILD     build directory (default build-bench)
#   PE_PLOT_ITERATIONS refinement rounds to run (default 1,2,4,8,16,32; 2 = the default)
#   PE_PLOT_THREADS    threads (default 2)
#   PE_PLOT_ONLY=1     only redraw the PNG from the existing CSV
# Needs: gnuplot (Debian: gnuplot-nox), and the judge ../shared/tools/score.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PE_BENCH_BUILD:-$ROOT/build-bench}
SHARED=${PE_SHARED:-$ROOT/../shared}
ITERS=${PE_PLOT_ITERATIONS:-1,2,4,8,16,32}
THREADS=${PE_PLOT_THREADS:-2}
CSV=$ROOT/docs/psnr-vs-cpu.csv
PNG=$ROOT/docs/psnr-vs-cpu.png

command -v gnuplot >/dev/null 2>&1 || { echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)"; exit 2; }
[ -x "$SHARED/tools/score" ] || { echo "plot.sh: no judge at $SHARED/tools/score"; exit 2; }
if [ "${PE_PLOT_ONLY:-0}" != 1 ]; then
    mkdir -p "$BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DBUILD_TESTING=OFF >"$BUILD/configure.log" 2>&1 ||
        { cat "$BUILD/configure.log"; exit 2; }
    cmake --build "$BUILD" --target bench_pipeline -j "$(nproc)" >/dev/null
    "$BUILD/bench/bench_pipeline" --shared "$SHARED" -n 250 -r 256 -j "$THREADS" \
        --iterations "$ITERS" --csv "$CSV" "$SHARED/images/mona.png"
fi

# CSV columns: 6 iterations, 15 psnr_judge, 17 cpu_s. The inline reference points use the same
# comma separator.
gnuplot <<GNUPLOT
set terminal pngcairo size 900,600 font ",11" noenhanced
set output "$PNG"
set datafile separator ","
set title "mona.png, 250 triangles, -r 256, -j $THREADS: judge PSNR vs CPU (refinement rounds labelled)"
set xlabel "CPU seconds (all threads, pe_approximate only)"
set ylabel "PSNR by ../shared/tools/score (dB)"
set logscale x 2
set xrange [0.5:64]
set yrange [27.5:31]
set grid
set key bottom right box opaque
plot "$CSV" skip 1 using 17:15 with linespoints lw 2 pt 7 title "polyevolve (this build)", \
     "$CSV" skip 1 using 17:15:(sprintf("%d", column(6))) with labels offset 0,1 notitle, \
     "-" using 1:2 with points pt 5 ps 1.8 title "primitive: 28.45 dB at 29.3 s", \
     "-" using 1:2 with points pt 9 ps 1.8 title "greedy C reference: 29.2 dB at ~2 s", \
     "-" using 1:2 with points pt 3 ps 2.2 lw 2 title "issue-4 targets: 29.45 dB <= 2.93 s, 30.45 dB <= 29.3 s"
29.3,28.45
e
2.0,29.2
e
2.93,29.45
29.3,30.45
e
GNUPLOT
echo "plot.sh: wrote $CSV and $PNG"
