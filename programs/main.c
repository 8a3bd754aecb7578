/* main.c - dumpsieve's entry point: argv -> options -> ds_dump -> messages
 * and exit status.  The only place that exits.
 *
 * Exit status (as makedumpfile): 0 success (also -h, -v, --check-params),
 * 1 any failure.  A failed dump leaves no DUMPFILE behind.
 */
#include <stdio.h>
#include <stdlib.h>
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
	if (ds_dump_dmesg(&cli->ds, &rep, &err) < 0) {
		report_error("%s", err.msg);
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

		if (ds_rearrange(STDIN_FILENO, cli.dumpfile, cli.ds.force, &rr, &err) < 0) {
			report_error("%s", err.msg);
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
	if (!ds_codec_available(cli.ds.codec)) {
		report_error("%s compression was requested but this dumpsieve was built without it",
			     ds_codec_name(cli.ds.codec));
		return fail();
	}
	if (cli.check_params)
		return EXIT_SUCCESS;

	cli.ds.notice = report_notice;
	cli.ds.progress = report_progress;
	if (ds_dump(&cli.ds, &rep, &err) < 0) {
		report_error("%s", err.msg);
		return fail();
	}
	if (cli.ds.exclude_vmemmap && (cli.message_level & ML_PROGRESS))
		fprintf(stderr, "Excluded %llu unused vmemmap pages\n",
			(unsigned long long)rep.vmemmap_pages);
	report_stats(&rep);
	if (!cli.ds.dry_run && !cli.ds.flatten)
		report_common("\nThe dumpfile is saved to %s.", cli.dumpfile);
	report_common("\ndumpsieve Completed.");
	return EXIT_SUCCESS;
}
