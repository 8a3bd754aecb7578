# scale.gp - the plot of bench/scale.sh: wall time against machine size,
# both tools and the floor, log scales.
#   gnuplot -e "datafile='F'; outfile='docs/scale.svg'; limit=SECONDS" bench/scale.gp
# datafile: blocks (two blank lines apart) of "size_tib wall_s finished",
# each opened by its quoted title (bench/scalereport.py --plot-data).
set terminal svg size 960,600 dynamic noenhanced font "sans,12"
set output outfile
set logscale xy
set xlabel "machine size (TiB of RAM)"
set ylabel "wall time (s)"
set key outside right top
set grid
set title "Dumping machines of 1 to 64 TiB in a 384 MiB memory cgroup (-l, -F)"
set arrow from graph 0, first limit to graph 1, first limit nohead dashtype 2
set label sprintf("time limit (%d min): runs past it were stopped (open circles)", limit / 60) at graph 0.02, first limit * 1.25
stats datafile using 1 nooutput
plot for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 1 ? $2 : NaN) with linespoints lw 2 title columnheader(1), \
     for [i=0:STATS_blocks-1] datafile index i using 1:($3 == 0 ? $2 : NaN) with points pt 6 ps 2 lc rgb "black" notitle
