/* main.c - dumpsieve's entry point: argv -> options -> ds_dump -> messages
 * and exit status.  The only place that exits, and the only place that
 * handles signals.
 *
 * Exit status (as makedumpfile): 0 success (also -h, -v, --check-params),
 * 1 any failure.  A dump that could not be finished (disk full, -L, an
 * output error, a signal) but holds pages is kept, flagged INCOMPLETE, with
 * makedumpfile's "This is an incomplete dumpfile" line; a failure before
 * any page could be written leaves no DUMPFILE behind.
 *
 * Signals: SIGTERM, SIGINT and SIGHUP ask the library to stop (it closes
 * the dump as an incomplete dump and we exit 1); a second one kills at
 * once (the file still says incomplete).  SIGXFSZ and SIGPIPE are ignored,
 * so that an output past RLIMIT_FSIZE or a reader that went away are write
 * errors (EFBIG, EPIPE), handled like a full disk.  SIGBUS goes to the
 * library (ds_input_fault): VMCORE is read through mmap, where a page that
 * cannot be read is a SIGBUS; it becomes the error read(2) would give.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dumpsieve/dumpsieve.h>

#include "options.h"
#include "report.h"

static void print_line(const char *line, void *arg)
{
	fprintf(arg, "%s\n", line);
}

static int fail(void)
{
	report_common("\ndumpsieve Failed.");
	return EXIT_FAILURE;
}

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	if (stop_signal) {           /* asked twice: stop now */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_signal = sig;
}

/* A page of VMCORE that cannot be read through its mapping: the library
 * turns it into the read error read(2) would give (ds_input_fault does not
 * return).  Any other SIGBUS is a real crash: the default action. */
static void on_bus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (!ds_input_fault(si->si_addr))
		signal(sig, SIG_DFL);   /* the fault repeats on return, and kills */
}

/* No SA_RESTART: a write or read that waits (a stalled pipe) is ended by
 * the signal, and the library sees the request. */
static void handle_signals(void)
{
	static const int stop[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		sigaction(stop[i], &sa, NULL);
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;   /* the library jumps out of it */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* The error, on a line of its own; a signal is named. */
static void report_failure(const struct ds_err *err)
{
	if (err->status == DS_ECANCELED && stop_signal)
		report_error("interrupted by SIG%s", sigabbrev_np(stop_signal) ?
			     sigabbrev_np(stop_signal) : "?");
	else
		report_error("%s", err->msg);
}

/* --dump-dmesg: the log to LOGFILE (or standard output with -F).  A log with
 * damage keeps the records that could be trusted and fails, as
 * makedumpfile does for a corrupt log buffer. */
static int dump_dmesg(struct cli *cli)
{
	struct ds_dmesg_report rep;
	struct ds_err err;

	if (cli->check_params)
		return EXIT_SUCCESS;
	cli->ds.notice = report_damage;
	cli->ds.vmcoreinfo = report_vmcoreinfo;
	cli->ds.faults_handled = true;   /* handle_signals routes SIGBUS */
	if (ds_dump_dmesg(&cli->ds, &rep, &err) < 0) {
		report_failure(&err);
		return fail();
	}
	report_debug("The log (%s): %llu records, %llu bytes; %llu records unfinished or given up "
		     "by the kernel, %llu cut to their block",
		     rep.layout, (unsigned long long)rep.records, (unsigned long long)rep.bytes,
		     (unsigned long long)rep.not_finished, (unsigned long long)rep.truncated);
	if (rep.partial_ignored)
		report_common("--partial-dmesg: this kernel's log (%s) keeps no clear mark; "
			      "the whole log was written", rep.layout);
	if (rep.damaged) {
		report_error("the log buffer is damaged (%llu times, see above); the %llu bytes "
			     "that could be trusted are in %s",
			     (unsigned long long)rep.damaged, (unsigned long long)rep.bytes,
			     cli->ds.flatten ? "the output" : cli->dumpfile);
		return fail();
	}
	report_common("\nThe dmesg log is saved to %s.", cli->ds.flatten ? "STDOUT" : cli->dumpfile);
	report_common("\ndumpsieve Completed.");
	return EXIT_SUCCESS;
}

/* The census reads every page the filter keeps only to find the zero ones:
 * makedumpfile calls that pass "Excluding zero pages". */
static void census_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	if (!strcmp(phase, "Copying data"))
		phase = "Excluding zero pages";
	report_progress(arg, phase, done, total);
}

/* --mem-usage: the census as makedumpfile's table; no "Completed" line on
 * success, as there. */
static int mem_usage(struct cli *cli)
{
	struct ds_report rep;
	struct ds_err err;

	if (cli->check_params)
		return EXIT_SUCCESS;
	cli->ds.notice = report_notice;
	cli->ds.progress = census_progress;
	cli->ds.vmcoreinfo = report_vmcoreinfo;
	cli->ds.faults_handled = true;
	if (ds_mem_usage(&cli->ds, &rep, &err) < 0) {
		report_failure(&err);
		return fail();
	}
	report_mem_usage(&rep);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct ds_report rep;
	struct ds_err err;
	char why[256];
	int r;

	r = cli_parse(&cli, argc, argv, why, sizeof(why));
	if (r < 0) {
		report_error("%s", why);
		if (r == -1)
			report_error("Try 'dumpsieve --help' for more information.");
		return fail();
	}
	report_set_level(cli.message_level);
	if (cli.ds.flatten)
		report_to_stderr();
	handle_signals();
	cli.ds.cancel = &stop_signal;
	if (cli.mode == CLI_HELP) {
		cli_usage(print_line, stdout);
		return EXIT_SUCCESS;
	}
	if (cli.mode == CLI_VERSION) {
		printf("dumpsieve: version %s\n", ds_version());
		for (int c = DS_CODEC_ZLIB; c < DS_CODEC_MAX; c++)
			printf("%s\t%s\n", ds_codec_name((enum ds_codec)c),
			       ds_codec_available((enum ds_codec)c) ? "enabled" : "disabled");
		return EXIT_SUCCESS;
	}
	if (cli.mode == CLI_REARRANGE) {
		if (cli.check_params)
			return EXIT_SUCCESS;
		struct ds_rearranged rr;

		if (ds_rearrange(STDIN_FILENO, cli.dumpfile, cli.ds.force, &stop_signal, &rr,
				 &err) < 0) {
			report_failure(&err);
			if (rr.incomplete && rr.kdump)
				report_error("rebuilt %s from %llu bytes of stream (%llu records): "
					     "%llu of its %llu pages are in it",
					     cli.dumpfile, (unsigned long long)rr.stream_bytes,
					     (unsigned long long)rr.records,
					     (unsigned long long)rr.pages_kept,
					     (unsigned long long)rr.pages_planned);
			else if (rr.incomplete)
				report_error("rebuilt %s from %llu bytes of stream (%llu records)",
					     cli.dumpfile, (unsigned long long)rr.stream_bytes,
					     (unsigned long long)rr.records);
			if (rr.incomplete)
				report_common("This is an incomplete dumpfile, but might analyzable.");
			return fail();
		}
		report_common("\nThe dumpfile is saved to %s.", cli.dumpfile);
		report_common("\ndumpsieve Completed.");
		return EXIT_SUCCESS;
	}
	if (cli.mode == CLI_DMESG)
		return dump_dmesg(&cli);
	if (cli.mode == CLI_MEM_USAGE)
		return mem_usage(&cli);
	if (!ds_codec_available(cli.ds.codec)) {
		report_error("%s compression was requested but this dumpsieve was built without it",
			     ds_codec_name(cli.ds.codec));
		return fail();
	}
	if (cli.check_params)
		return EXIT_SUCCESS;

	cli.ds.notice = report_notice;
	cli.ds.progress = report_progress;
	cli.ds.faults_handled = true;    /* handle_signals routes SIGBUS */
	cli.ds.vmcoreinfo = report_vmcoreinfo;
	if (ds_dump(&cli.ds, &rep, &err) < 0) {
		report_failure(&err);
		if (rep.incomplete) {
			report_error("%s holds %llu of the %llu pages it was to hold",
				     cli.ds.flatten ? "the stream" : cli.dumpfile,
				     (unsigned long long)rep.kept_pages,
				     (unsigned long long)rep.planned_pages);
			report_common("This is an incomplete dumpfile, but might analyzable.");
		}
		return fail();
	}

	if (cli.ds.exclude_vmemmap && (cli.message_level & ML_PROGRESS))
		fprintf(stderr, "Excluded %llu unused vmemmap pages\n",
			(unsigned long long)rep.vmemmap_pages);
	report_stats(&rep);
	if (cli.split && !cli.ds.dry_run) {
		/* makedumpfile: "The dumpfiles are saved to A, B, and C." */
		char list[4096];
		size_t len = 0;

		list[0] = '\0';
		for (unsigned i = 0; i < cli.ds.n_outputs && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s%s",
						i == 0 ? "" : i + 1 == cli.ds.n_outputs ? (i > 1 ? ", and " : " and ") : ", ",
						"", cli.ds.outputs[i]);
		report_common("\nThe dumpfiles are saved to %s.", list);
	} else if (!cli.ds.dry_run && !cli.ds.flatten) {
		report_common("\nThe dumpfile is saved to %s.", cli.dumpfile);
	}
	report_common("\ndumpsieve Completed.");
	return EXIT_SUCCESS;
}
