/* SPDX-License-Identifier: GPL-3.0-or-later */
/* path.c: file-system paths. */
#include <config.h>

#include "util/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/banned.h"

char *pm_path_relative(const char *base, const char *target)
{
	size_t common = 0, i, ups = 0, n;
	const char *rest;
	char *out;

	for (i = 0; base[i] && target[i] && base[i] == target[i]; i++)
		if (base[i] == '/')
			common = i;
	if (!base[i] && (target[i] == '/' || !target[i]))
		common = i;
	rest = target + common + (target[common] == '/' ? 1 : 0);
	for (i = common; base[i]; i++)
		if (base[i] == '/')
			ups++;
	if (base[common] == '/' && base[common + 1] == '\0')
		ups = 0;
	n = ups * 3 + strlen(rest) + 1;
	out = malloc(n);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < ups; i++)
		memcpy(out + 3 * i, "../", 4);
	memcpy(out + 3 * ups, rest, strlen(rest) + 1);
	return out;
}

int pm_open_regular(const char *path, int64_t *size_bytes, struct pm_err *err)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		pm_err_sys(err, PM_ENOINPUT, "cannot open '%s'", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return pm_err_set(err, PM_EFORMAT,
				  "'%s' is not a regular file (a %s)", path,
				  S_ISDIR(st.st_mode)    ? "directory"
				  : S_ISFIFO(st.st_mode) ? "FIFO"
				  : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
					  ? "device"
					  : "special file");
	}
	/* reads of a regular file block as usual */
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (size_bytes)
		*size_bytes = (int64_t)st.st_size;
	return fd;
}

ssize_t pm_read_at(int fd, void *buf, size_t n, int64_t offset)
{
	uint8_t *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got,
				  (off_t)(offset + (int64_t)got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

char *pm_path_join(const char *dir, const char *name, struct pm_err *err)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = pm_malloc(n, err);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}
