# scale.gp - the plot of bench/scale.sh: time against machine size, both
# tools and the floor, log scales.  Left: wall time (what a quiet machine's
# run measures; vmcorefs computing the bytes is in it, for every tool and
# the floor alike).  Right: CPU time (user+sys) of the process alone, the
# measure that still means something when the machine was loaded.
#   gnuplot -e "datafile='F'; outfile='docs/scale.svg'; limit=SECONDS" bench/scale.gp
# datafile: blocks (two blank lines apart) of "size_tib cpu_s finished wall_s",
# each opened by its quoted title (bench/scalereport.py --plot-data).
set terminal svg size 1200,560 dynamic noenhanced font "sans,12"
set output outfile
stats datafile using 1 nooutput
set multiplot layout 1,2 title sprintf("Dumping machines of 1 to 64 TiB in a 384 MiB memory cgroup (-l, -F); open circles: stopped at the %d min limit", limit / 60)
set logscale xy
set xlabel "machine size (TiB of RAM)"
set grid
set key left top font ",10"
set ylabel "wall time (s)"
set title "wall time"
plot for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 1 ? $4 : NaN) with linespoints lw 2 title columnheader(1), \
     for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 0 ? $4 : NaN) with points pt 6 ps 2 lc rgb "black" notitle
set ylabel "CPU time of the process, user+sys (s)"
set title "CPU time"
unset key
plot for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 1 ? $2 : NaN) with linespoints lw 2 title columnheader(1), \
     for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 0 ? $2 : NaN) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
