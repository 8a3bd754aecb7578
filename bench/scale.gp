# scale.gp - the plot of bench/scale.sh: CPU time (user+sys) against machine
# size, both tools and the floor, log scales.  CPU time, not wall time: the
# bench may run on a loaded machine, where wall time measures the load.
#   gnuplot -e "datafile='F'; outfile='docs/scale.svg'; limit=SECONDS" bench/scale.gp
# datafile: blocks (two blank lines apart) of "size_tib cpu_s finished",
# each opened by its quoted title (bench/scalereport.py --plot-data).
set terminal svg size 960,600 dynamic noenhanced font "sans,12"
set output outfile
set logscale xy
set xlabel "machine size (TiB of RAM)"
set ylabel "CPU time, user+sys (s)"
set key outside right top
set grid
set title "Dumping machines of 1 to 64 TiB in a 384 MiB memory cgroup (-l, -F)"
set label sprintf("open circles: stopped at the %d min (wall) limit; the CPU time used until then", limit / 60) at graph 0.02, graph 0.95
stats datafile using 1 nooutput
plot for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 1 ? $2 : NaN) with linespoints lw 2 title columnheader(1), \
     for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 0 ? $2 : NaN) with points pt 6 ps 2 lc rgb "black" notitle
