/* outfile.c - open, close and discard DUMPFILE (see outfile.h).
 *
 * The file is opened without O_TRUNC: truncating first and checking after
 * would empty a VMCORE given as DUMPFILE, or a device, before the refusal.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int refuse_kind(const char *path, mode_t mode, struct ds_err *err)
{
	return ds_err_set(err, DS_EINVAL,
			  "'%s' is a %s: a dump file needs random access "
			  "(use -F to write a flattened stream to a pipe)", path,
			  S_ISFIFO(mode) ? "FIFO" : S_ISSOCK(mode) ? "socket" : "special file");
}

static int refuse_input(const char *path, struct ds_err *err)
{
	return ds_err_set(err, DS_EINVAL,
			  "'%s' is the input file itself (same device and inode): "
			  "refusing to overwrite it", path);
}

int outfile_check(const char *path, bool force, const struct stat *input,
		  struct ds_err *err)
{
	struct stat st;
	char dir[4096];
	const char *slash;

	if (stat(path, &st) == 0) {
		if (!force)
			return ds_err_set(err, DS_EINVAL,
					  "cannot create '%s': file exists (use -f to overwrite)", path);
		if (input && st.st_dev == input->st_dev && st.st_ino == input->st_ino)
			return refuse_input(path, err);
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
			return refuse_kind(path, st.st_mode, err);
		if (access(path, W_OK) < 0)
			return ds_err_sys(err, "cannot create '%s'", path);
		return 0;
	}
	if (errno != ENOENT)
		return ds_err_sys(err, "cannot create '%s'", path);
	/* a new file: its directory must let us create it */
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) < 0)
		return ds_err_sys(err, "cannot create '%s'", path);
	return 0;
}

int outfile_open(struct outfile *of, const char *path, bool force,
		 const struct stat *input, struct ds_err *err)
{
	struct stat st;
	int fd, r;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	of->path = path;
	/* O_RDWR: a FIFO opens at once (no wait for a reader), and a
	 * repair reads back what was written */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (force ? 0 : O_EXCL), 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return ds_err_set(err, DS_EINVAL,
					  "cannot create '%s': file exists (use -f to overwrite)", path);
		return ds_err_sys(err, "cannot create '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		r = ds_err_sys(err, "cannot stat '%s'", path);
		close(fd);
		return r;
	}
	if (input && st.st_dev == input->st_dev && st.st_ino == input->st_ino) {
		close(fd);
		return refuse_input(path, err);
	}
	if (S_ISREG(st.st_mode)) {
		/* ours: created now (O_EXCL) or to be replaced (-f) */
		if (st.st_size && ftruncate(fd, 0) < 0) {
			r = ds_err_sys(err, "cannot truncate '%s'", path);
			close(fd);
			return r;
		}
		of->kind = OUTFILE_REGULAR;
		of->removable = true;
		of->dev = st.st_dev;
		of->ino = st.st_ino;
	} else if (S_ISBLK(st.st_mode)) {
		of->kind = OUTFILE_DISK;
	} else if (S_ISCHR(st.st_mode)) {
		of->kind = OUTFILE_CHARDEV;
	} else {
		close(fd);
		return refuse_kind(path, st.st_mode, err);
	}
	of->fd = fd;
	return 0;
}

void outfile_sink(struct outfile *of, struct sink *s)
{
	if (of->kind == OUTFILE_REGULAR)
		sink_file_init(s, of->fd, of->path);
	else
		sink_device_init(s, of->fd, of->path, of->kind == OUTFILE_DISK);
}

int outfile_close(struct outfile *of, struct ds_err *err)
{
	int fd = of->fd;

	of->fd = -1;
	if (fd >= 0 && close(fd) < 0)
		return ds_err_sys(err, "cannot close '%s'", of->path);
	return 0;
}

void outfile_discard(struct outfile *of)
{
	struct ds_err ignored;
	struct stat st;

	(void)outfile_close(of, &ignored);
	/* only if the name still means the file we opened */
	if (of->removable && lstat(of->path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_dev == of->dev && st.st_ino == of->ino)
		(void)unlink(of->path);
	of->removable = false;
}
